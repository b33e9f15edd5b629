// The pool of a command over many processes (src/cli/helper-pool.ts), with
// no helper pvm: processes known up front or submitted over time come back in
// the order they were given, each as soon as it and those before it are done.
// Helpers are tested live (fleet.live.test.ts, journal-many.live.test.ts).
import { describe, expect, it } from 'vitest';
import { type PoolWork, runPool, startPool } from '../../src/cli/helper-pool.ts';
import type { ExitCode } from '../../src/errors.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function work(delivered: number[], ran: number[] = []): PoolWork<number> {
  return {
    jobs: 1,
    helperArgs: undefined,
    runHere: async (process) => {
      ran.push(process);
      await sleep(process % 3);
      return process * 10;
    },
    lost: (_process, _why, exit: ExitCode) => -exit,
    deliver: (result) => delivered.push(result),
  };
}

describe('a pool of processes', () => {
  it('runs a list in order and delivers each result once', async () => {
    const delivered: number[] = [];
    expect(await runPool([3, 1, 2, 7], work(delivered))).toEqual({ helpers: 0, helped: 0 });
    expect(delivered).toEqual([30, 10, 20, 70]);
  });

  it('takes processes as they arrive, from an async source', async () => {
    const delivered: number[] = [];
    async function* arriving() {
      for (const process of [5, 4, 9]) {
        await sleep(5);
        yield process;
      }
    }
    await runPool(arriving(), work(delivered));
    expect(delivered).toEqual([50, 40, 90]);
  });

  it('waits for submit and ends at end(): each delivered as soon as it is done', async () => {
    const delivered: number[] = [];
    const pool = startPool(work(delivered));
    pool.submit(1);
    await sleep(20);
    expect(delivered).toEqual([10]);
    pool.submit(2);
    pool.submit(3);
    pool.end();
    await pool.finished;
    expect(delivered).toEqual([10, 20, 30]);
    expect(() => pool.submit(4)).toThrow('after the end');
  });

  it('delivers what a failing source gave, then throws its error', async () => {
    const delivered: number[] = [];
    async function* failing() {
      yield 1;
      throw new Error('the source failed');
    }
    await expect(runPool(failing(), work(delivered))).rejects.toThrow('the source failed');
    expect(delivered).toEqual([10]);
  });

  it('ends at once with nothing submitted', async () => {
    const delivered: number[] = [];
    expect(await runPool([], work(delivered))).toEqual({ helpers: 0, helped: 0 });
    expect(delivered).toEqual([]);
  });
});
