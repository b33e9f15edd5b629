// Loops compiled to WebAssembly against the live C fixture: the live process
// reads their iovecs straight into the module's memory (LiveProcess.vectors).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { Budget, DEFAULT_LIMITS } from '../../src/runtime/budget.ts';
import { lowerLoop } from '../../src/runtime/loops/lower.ts';
import { compileWasmFor } from '../../src/runtime/loops/wasm-kernel.ts';
import { guardSource } from '../../src/policy/guard.ts';
import { parsePolicy } from '../../src/policy/load.ts';
import { LiveProcess } from '../../src/target/live-process.ts';
import type { MemorySource } from '../../src/target/target.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

/** Whether the plan's `for` loop compiles to WebAssembly on this target, for the kinds its plan gives. */
function compilesToWasm(plan: ReturnType<typeof compileSource>, target: MemorySource): boolean {
  const loop = plan.steps.find((s) => s.op === 'for')! as Extract<(typeof plan.steps)[number], { op: 'for' }>;
  const budget = new Budget(DEFAULT_LIMITS, () => ({ where: plan.recipe.name }));
  const lowering = lowerLoop(loop);
  return lowering.eligible && compileWasmFor(lowering.loop, { target, budget, context: undefined as never, read: undefined as never, flush: () => {}, output: () => {} }) !== undefined;
}

it('walks the 100 000 pointers of a live table in WebAssembly, a page at a time (about 200 system calls), to the sum C finds', async () => {
  const target = await LiveProcess.open(fixture.pid);
  try {
    const text = `let total = 0\nfor i in 0..100000 { total = total + read u64 at [${fixture.hex('table')} + i * 8] }\nprint total`;
    const plan = compileSource({ name: 'walk.pvm', text });
    expect(compilesToWasm(plan, target)).toBe(true);
    const events: OutputEvent[] = [];
    const [calls, iovecs] = [target.calls, target.iovecs];
    execute({ plan, target, params: new Map(), output: (e) => events.push(e) });
    expect(events).toEqual([{ type: 'print', values: [{ kind: 'int', value: 14999850000n }], line: 3 }]);
    // The values lie in 196 pages: per window of 16 384 pointers, ~200 remote iovecs (one per page and gap of
    // more than 2 KiB) and ~32 calls of 1024 local iovecs (a value and the gap before it), not 16 calls of 1024 pointers.
    expect({ calls: target.calls - calls <= 220, iovecs: target.iovecs - iovecs <= 5000 }).toEqual({ calls: true, iovecs: true });
  } finally {
    target.close();
  }
});

it('walks a list of 100 000 addresses (a scan would give such hits) in WebAssembly: each entry of the table read, then what it points at', async () => {
  const target = await LiveProcess.open(fixture.pid);
  try {
    const table = fixture.at('table');
    const hits = { kind: 'list' as const, items: Array.from({ length: 100_000 }, (_, i) => ({ kind: 'ptr' as const, value: table + BigInt(i) * 8n })) };
    const plan = compileSource({ name: 'hits.pvm', text: 'param hits: list\nlet total = 0\nfor p in hits { total = total + read u64 at [p] }\nprint total' });
    expect(compilesToWasm(plan, target)).toBe(true);
    const events: OutputEvent[] = [];
    const [calls, iovecs] = [target.calls, target.iovecs];
    execute({ plan, target, params: new Map([['hits', hits]]), output: (e) => events.push(e) });
    expect(events).toEqual([{ type: 'print', values: [{ kind: 'int', value: 14999850000n }], line: 4 }]);
    expect({ calls: target.calls - calls <= 220, iovecs: target.iovecs - iovecs <= 5000 }).toEqual({ calls: true, iovecs: true });
  } finally {
    target.close();
  }
});

it('walks the table in WebAssembly under a policy that budgets reads, counting its bytes; region rules keep it in JS', async () => {
  const live = await LiveProcess.open(fixture.pid);
  try {
    const text = `let total = 0\nfor i in 0..100000 { total = total + read u64 at [${fixture.hex('table')} + i * 8] }\nprint total`;
    const plan = compileSource({ name: 'walk.pvm', text });
    const under = (json: unknown, audit: unknown[] = []) => guardSource(live, { policies: [parsePolicy('p.json', JSON.stringify(json))], symbol: () => undefined, audit: (e) => audit.push(e) });
    const audit: unknown[] = [];
    const budgeted = under({ read: { maxBytes: 4 << 20 } }, audit);
    expect(compilesToWasm(plan, budgeted)).toBe(true);
    const events: OutputEvent[] = [];
    execute({ plan, target: budgeted, params: new Map(), output: (e) => events.push(e) });
    expect(events).toEqual([{ type: 'print', values: [{ kind: 'int', value: 14999850000n }], line: 3 }]);
    // Every byte counted: the table (800 000 bytes) and the 100 000 values it points at.
    const bytes = audit.reduce((sum: number, e) => sum + ((e as { op: string; bytes?: number }).op === 'read' ? (e as { bytes: number }).bytes : 0), 0);
    expect(bytes).toBe(1_600_000);
    // A budget too small stops the loop with the policy's error, as the JS kernel's reads do.
    expect(() => execute({ plan, target: under({ read: { maxBytes: 100_000 } }), params: new Map(), output: () => {} })).toThrow(/reading more than 100000 bytes: the run read more than the policy allows/);
    // Region rules decide each read alone: the loop reads through `read`, in JS.
    expect(compilesToWasm(plan, under({ read: { deny: ['[stack]'] } }))).toBe(false);
  } finally {
    live.close();
  }
});
