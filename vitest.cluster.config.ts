import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the production shape (src/dev/cluster.ts, the real Temporal server on
 * PostgreSQL) started once, and the fault tests run against it. One file, one process: the
 * cluster is the shared state every case acts on.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
