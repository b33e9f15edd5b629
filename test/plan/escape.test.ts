import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { transientReads } from '../../src/plan/escape.ts';
import type { PlanStep } from '../../src/plan/plan.ts';

/** Whether the first loop's `let b = read bytes …` dies with its iteration. */
function dies(body: string, before = ''): boolean {
  const plan = compileSource({ name: 'e.pvm', text: `${before}for i in 0..4 {\n  let b = read bytes 65536 at 0x10000 + i * 65536\n${body}\n}` });
  const loop = plan.steps.find((s): s is Extract<PlanStep, { op: 'for' }> => s.op === 'for')!;
  return transientReads(loop.body).size === 1;
}

describe('transientReads (a loop value read into memory the next iteration reuses)', () => {
  it('takes a value used only where its bytes are consumed at once: indexed, measured, turned to hex, compared', () => {
    expect(dies('print b[0] + b[65535]')).toBe(true);
    expect(dies('print len(b), hex(b)')).toBe(true);
    expect(dies('if b == hex"00" { print 1 }\nassert b != hex"01"')).toBe(true);
    expect(dies('let n = 0\nfor j in 0..len(b) { n = n + b[j] }\nprint n')).toBe(true);
    expect(dies('')).toBe(true);
  });

  it('leaves a value that may outlive its iteration: printed, emitted, bound, written, or its name bound again', () => {
    expect(dies('print b')).toBe(false);
    expect(dies('emit x = b')).toBe(false);
    expect(dies('let c = b\nprint c[0]')).toBe(false);
    expect(dies('if i == 0 { first = b }', 'let first = read bytes 65536 at 0x10000\n')).toBe(false);
    expect(dies('write bytes at 0x20000 = b')).toBe(false);
    expect(dies('if i == 1 { b = read bytes 65536 at 0x20000 }\nprint b[0]')).toBe(false);
  });
});
