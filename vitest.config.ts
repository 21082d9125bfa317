import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Unit tests of the pure workflow rules sit beside them (workflows/job-state.test.ts).
    include: ['test/**/*.test.ts', 'workflows/**/*.test.ts'],
    // The production shape's suite runs on its own: `npm run test:cluster` (vitest.cluster.config.ts).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Two cores on CI: more parallel files only fight over them (each stack test runs servers).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
