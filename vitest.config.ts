import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // one copy of graphql, or instanceof checks across packages fail
    dedupe: ['graphql'],
  },
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test/.results/vitest.json' },
  },
});
