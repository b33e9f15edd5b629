import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Test files run side by side, two at least: most of their time is spent waiting on the processes they
    // start (pvm on three runtimes, targets), so even two cores run two files in about the time of one
    // (vitest's default, one fewer than the cores, would run them one after another here).
    maxWorkers: Math.max(2, availableParallelism()),
    // Generous, so that a test fails for what it tests and not because the machine is busy: a case
    // spawns a runtime (Deno and Bun start in 50-300 ms) and most take well under a second, but a
    // loaded 2-core machine has stretched single cases past 30 s. A hang still fails, in two minutes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
