import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // onnxruntime-node and child processes are happier in forked workers than in threads.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
