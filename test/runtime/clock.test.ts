// Issue 29: a time limit (a policy's run.maxSeconds) holds in every engine,
// also for work that reads nothing: the interpreter and the JS kernel look
// at the clock every CLOCK_EVERY_STEPS steps (the WebAssembly engine between
// its windows: test/cli/policy-closed.live.test.ts runs it on a live target).
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { PvmError } from '../../src/errors.ts';
import { DEFAULT_LIMITS } from '../../src/limits.ts';
import { execute } from '../../src/runtime/execute.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';

/** An in-memory target without iovec reads: every eligible loop runs in the JS kernel. */
const target = () => new MemoryTarget([{ start: 0x10000n, end: 0x11000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: new Uint8Array(4096) }]);

function errorOf(text: string, compileLoops: boolean): PvmError {
  const plan = compileSource({ name: 'loop.pvm', text });
  try {
    execute({ plan, target: target(), params: new Map(), output: () => {}, limits: { ...DEFAULT_LIMITS, seconds: 0.02, rules: { seconds: 'run.maxSeconds 0.02 in p.json' } }, compileLoops });
  } catch (error) {
    if (error instanceof PvmError) return error;
    throw error;
  }
  throw new Error('the run ended within its time limit');
}

describe('run.maxSeconds on a loop that only computes', () => {
  const loop = 'let t = 0\nfor i in 0..5000000 limit 5000000 {\n  t = t + (i ^ 7) % 13\n}';

  it.each([['the JS kernel', true], ['the interpreter', false]] as const)('%s stops it at the statement that ran past the limit', (_, compileLoops) => {
    const error = errorOf(loop, compileLoops);
    expect(error.exit).toBe(3);
    expect(error.message).toMatch(/^denied: the run took longer than the policy allows \(\d+\.\d{3} s\) — run\.maxSeconds 0\.02 in p\.json$/);
    expect([error.line, error.col]).toEqual([3, 3]);
  });
});
