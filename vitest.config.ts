import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Every e2e case spawns a runtime; Deno and Bun start in 50-300 ms.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
