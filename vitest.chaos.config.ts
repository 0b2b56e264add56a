import { defineConfig } from 'vitest/config';

/** `npm run test:chaos`: the kill -9 chaos test against `ferry start` on PostgreSQL (needs `npm run build`). */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
});
