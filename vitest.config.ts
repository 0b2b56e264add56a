import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The chaos test kills real processes for minutes: `npm run test:chaos` (vitest.chaos.config.ts).
    exclude: ['test/chaos/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Vitest's default (cores - 1) is one file at a time on a 2-core machine; most slow files wait on child
    // processes, browsers and timers, so more files than cores side by side finish sooner (TEST_WORKERS overrides).
    maxWorkers: Number(process.env.TEST_WORKERS) || 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
