import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import type { PlanStep } from '../../src/plan/plan.ts';

/** The reads read ahead of the recipe's first loop, as "level: line:col". */
function readAheadResult(text: string): string[] {
  const plan = compileSource({ name: 'r.pvm', text });
  const loop = plan.steps.find((s): s is Extract<PlanStep, { op: 'for' }> => s.op === 'for')!;
  const cols = new Map<number, string>();
  const visit = (e: unknown): void => {
    if (typeof e !== 'object' || e === null) return;
    const node = e as { op?: string; site?: number; loc?: { line: number; col: number } };
    if (node.op === 'read' && node.site !== undefined) cols.set(node.site, `${node.loc!.line}:${node.loc!.col}`);
    Object.values(e).forEach(visit);
  };
  visit(loop.body);
  return loop.readAhead.sites.map(({ site, level }) => `${level}: ${cols.get(site)}`);
}

describe('analyzeLoop', () => {
  it('reads a pointer table, then what it points to, in two batches', () => {
    expect(readAheadResult('param t: ptr = 0\nlet total = 0\nfor i in 0..10 { total = total + read u64 at [t + i * 8] }')).toEqual(['1: 3:46', '2: 3:34']);
  });

  it('follows unconditional lets of the body', () => {
    expect(readAheadResult('for i in 0..10 {\n  let p = [0x1000 + i * 8]\n  let v = read u32 at p + 4\n  print v\n}')).toEqual(['1: 2:11', '2: 3:11']);
  });

  it('does not read ahead what depends on a name the loop assigns', () => {
    expect(readAheadResult('let p = 0x1000\nfor i in 0..10 { p = [p] }')).toEqual([]);
    expect(readAheadResult('let n = 0\nfor i in 0..10 { n = n + 1; print read u8 at n }')).toEqual([]);
  });

  it('does not read ahead what runs only sometimes: branches and the right of && and ||', () => {
    expect(readAheadResult('for i in 0..10 { if read u8 at i == 1 { print read u8 at i + 1 } }')).toEqual(['1: 1:21']);
    expect(readAheadResult('for i in 0..10 { print i == 0 || read u8 at i == 1 }')).toEqual([]);
    expect(readAheadResult('for i in 0..10 { print read u8 at i == 0 && read u8 at i + 1 == 1 }')).toEqual(['1: 1:24']);
  });
});
