/**
 * The V8 options a worker process starts with: NODE_OPTIONS in docker-compose.yml and in the local
 * cluster (src/dev/cluster.ts), on the command line of `npm run worker`. They must be given at
 * start; V8 sizes a heap when it creates it.
 *
 * Why (docs/scaling.md, "Where a worker's memory is"): V8 sizes the young generation from the
 * machine's memory (64 MB semi-spaces, a 128 MB young generation, on a 24 GB machine) and, busy,
 * keeps it at that size. A worker has two busy heaps, the main thread's and the workflow
 * thread's, so up to a quarter of a gigabyte of its resident memory was young generation, most of
 * it empty. With 16 MB semi-spaces, side by side in one run, a worker held 550 MB at the end of a
 * burst against 726 MB, for the same CPU.
 */
export const WORKER_NODE_OPTIONS = '--max-semi-space-size=16';
