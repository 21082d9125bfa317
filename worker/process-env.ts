/**
 * What a worker process is started with, beyond its configuration: V8's options (NODE_OPTIONS)
 * and glibc's arena count (MALLOC_ARENA_MAX). Both act only at start: V8 sizes a heap when it
 * creates it, glibc reads its setting when the process begins. They reach a worker through the
 * worker service's environment in docker-compose.yml, the local cluster's (src/dev/cluster.ts),
 * and the command line of `npm run worker`.
 *
 * Why (docs/scaling.md, "Where a worker's memory is"): V8 sizes the young generation from the
 * machine's memory (64 MB semi-spaces, a 128 MB young generation, on a 24 GB machine) and, busy,
 * keeps it at that size. A worker has two busy heaps, the main thread's and the workflow
 * thread's, so up to a quarter of a gigabyte of its resident memory was young generation, most of
 * it empty. With 16 MB semi-spaces, side by side in one run, a worker held 550 MB at the end of a
 * burst against 726 MB, for the same CPU. Two malloc arenas instead of glibc's eight per core
 * took 35 to 60 MB more off in the runs that compared them; with both, the workers held 388 and
 * 424 MB with 100,000 jobs open.
 */
export const WORKER_NODE_OPTIONS = '--max-semi-space-size=16';
export const WORKER_MALLOC_ARENA_MAX = '2';

/** The two as environment variables. */
export const WORKER_PROCESS_ENV = {
  NODE_OPTIONS: WORKER_NODE_OPTIONS,
  MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX,
} as const;
