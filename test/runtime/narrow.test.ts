// `narrow` (issue 15, item 4) against an in-memory target: each test, each
// way a list comes to remember values, items that vanish, and the errors.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { caught } from '../helpers/errors.ts';

const BASE = 0x10000n;

/** u32 values 100, 90, 100, 7 at BASE, +4, +8, +12; f32 1.5 and 2.5 at +0x20, +0x24; a page that goes away at BASE + 0x1000. */
function memory(): MemoryTarget {
  const bytes = new Uint8Array(0x1000);
  const view = new DataView(bytes.buffer);
  [100, 90, 100, 7].forEach((v, i) => view.setUint32(i * 4, v, true));
  view.setFloat32(0x20, 1.5, true);
  view.setFloat32(0x24, 2.5, true);
  return new MemoryTarget([{ start: BASE, end: BASE + 0x1000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes }]);
}

/** Runs the recipe; returns the `emit`ted lists as offsets from BASE. */
function run(text: string, target = memory()): Record<string, unknown> {
  const plan = compileSource({ name: 'n.pvm', text });
  const emitted: Record<string, unknown> = {};
  execute({
    plan,
    target,
    params: new Map(),
    allowWrite: true,
    output: (e: OutputEvent) => {
      if (e.type !== 'emit') return;
      emitted[e.name] = e.value.kind === 'list' ? e.value.items.map((item) => Number((item as { value: bigint }).value - BASE)) : (e.value as { value: unknown }).value;
    },
  });
  return emitted;
}

const scan100 = `let hits = scan u32 100 in range(${BASE}, 16) align 4`;

describe('narrow', () => {
  it('keeps the items whose value compares so, in order', () => {
    const all = `let all = [${BASE}, ${BASE + 4n}, ${BASE + 8n}, ${BASE + 12n}]`;
    expect(run(`${all}\nemit eq = narrow all u32 == 100\nemit ne = narrow all u32 != 100\nemit lt = narrow all u32 < 90\nemit ge = narrow all u32 >= 90\nemit between = narrow all u32 between 7 and 90`)).toEqual({
      eq: [0, 8],
      ne: [4, 12],
      lt: [12],
      ge: [0, 4, 8],
      between: [4, 12],
    });
  });

  it('after a typed scan, tells what changed since: changed, unchanged, increased, decreased', () => {
    const text = `${scan100}\nwrite u32 at ${BASE} = 150\nwrite u32 at ${
      BASE + 8n
    } = 60\nemit changed = narrow hits u32 changed\nemit unchanged = narrow hits u32 unchanged\nemit up = narrow hits u32 increased\nemit down = narrow hits u32 decreased`;
    expect(run(text)).toEqual({ changed: [0, 8], unchanged: [], up: [0], down: [8] });
  });

  it('remembers what each narrow read, so narrowing goes on as the values move', () => {
    const text =
      `${scan100}\nhits = narrow hits u32 == 100\nwrite u32 at ${BASE} = 99\nhits = narrow hits u32 decreased\nemit left = hits\nwrite u32 at ${BASE} = 98\nemit again = narrow hits u32 decreased\nemit same = narrow hits u32 unchanged`;
    expect(run(text)).toEqual({ left: [0], again: [0], same: [] });
  });

  it('starts from an unknown initial value: every readable item, its value remembered (any)', () => {
    const text = `let all = narrow scan hex"?? ?? ?? ??" in range(${BASE}, 16) align 4 u32 any\nemit all = all\nwrite u32 at ${BASE + 12n} = 8\nemit up = narrow all u32 increased\nemit same = narrow all u32 unchanged`;
    expect(run(text)).toEqual({ all: [0, 4, 8, 12], up: [12], same: [0, 4, 8] });
  });

  it('compares floats within a tolerance', () => {
    const floats = `let f = [${BASE + 0x20n}, ${BASE + 0x24n}]`;
    const tenth = `let t = [${BASE + 0x28n},]\nwrite f32 at ${BASE + 0x28n} = 0.1\nemit tenth = narrow t f32 == 0.1\nemit tenths = narrow t f32 between 0.1 and 0.1`;
    expect(run(tenth)).toEqual({ tenth: [0x28], tenths: [0x28] }); // 0.1 as an f32 holds it, not as a double
    expect(run(`${floats}\nemit near = narrow f f32 == 1.45 within 0.1\nemit far = narrow f f32 != 1.45 within 0.1\nemit exact = narrow f f32 == 2.5\nemit range = narrow f f32 between 2 and 3`)).toEqual({
      near: [0x20],
      far: [0x24],
      exact: [0x24],
      range: [0x24],
    });
  });

  it('drops items whose memory can no longer be read', () => {
    expect(run(`let l = [${BASE}, ${BASE + 0x2000n}]\nemit kept = narrow l u32 >= 0`)).toEqual({ kept: [0] });
  });

  it('refuses a change test on a list that remembers nothing, or as another type (exit 2)', () => {
    const listed = caught(() => run(`let l = [${BASE},]\nlet x = narrow l u32 changed`));
    expect(listed).toMatchObject({ code: 'narrow-no-values', exit: 2, where: 'n.pvm:2:9' });
    expect(listed.hint).toContain('narrow it by a value first');
    expect(caught(() => run(`${scan100}\nlet x = narrow hits i32 changed`))).toMatchObject({ code: 'narrow-type', exit: 2 });
  });

  it('is checked before it runs: a list, and within only for floats with == or !=', () => {
    expect(caught(() => run('let x = narrow 5 u32 == 1'))).toMatchObject({ code: 'invalid-recipe' });
    expect(caught(() => run(`let l = [${BASE},]\nlet x = narrow l u32 == 1 within 2`)).message).toContain('within is a tolerance for floats');
    expect(caught(() => run(`let l = [${BASE},]\nlet x = narrow l f32 < 1 within 2`)).message).toContain('within goes with == and !=');
  });
});
