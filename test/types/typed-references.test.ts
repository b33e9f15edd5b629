// Typed references against an in-memory target: declared structs laid out as
// C lays them out, members read by name, pointers followed, whole structs
// shown, and the mistakes a recipe can make, each with its message. The
// same against a live process is in typed-references.live.test.ts.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { lowerLoop } from '../../src/runtime/loops/lower.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { jsonValue } from '../../src/api/events.ts';
import { caught } from '../helpers/errors.ts';

const BASE = 0x10000n;

// struct Player { char name[16]; uint32_t level; int32_t health; struct Inventory *inventory; double speed; struct Player *next; uint8_t flags; }
// at +0x100, its inventory at +0x200, a second player at +0x300.
const TYPES = `
struct Inventory { gold: u32; potions: u16; arrows: u16 }
enum State : u8 { idle, running = 4, dead }
struct Player {
  name: char[16]
  level: u32
  health: i32
  inventory: Inventory*
  speed: f64
  next: Player*
  state: State
  pos: f32[3]
}
`;

function memory(): MemoryTarget {
  const bytes = new Uint8Array(0x1000);
  const view = new DataView(bytes.buffer);
  const player = (at: number, name: string, level: number, next: bigint) => {
    bytes.set(new TextEncoder().encode(`${name}\0`), at);
    view.setUint32(at + 16, level, true);
    view.setInt32(at + 20, -7, true);
    view.setBigUint64(at + 24, BASE + 0x200n, true);
    view.setFloat64(at + 32, 1.25, true);
    view.setBigUint64(at + 40, next, true);
    view.setUint8(at + 48, 4);
    view.setFloat32(at + 52, 1, true);
    view.setFloat32(at + 56, 2, true);
    view.setFloat32(at + 60, 3.5, true);
  };
  player(0x100, 'ada', 42, BASE + 0x300n);
  player(0x300, 'bob', 7, 0n);
  view.setUint32(0x200, 1337, true);
  view.setUint16(0x204, 3, true);
  view.setUint16(0x206, 250, true);
  view.setBigUint64(0x8, BASE + 0x100n, true); // a pointer to the first player
  return new MemoryTarget([{ start: BASE, end: BASE + 0x1000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes }]);
}

function run(text: string, target = memory()): unknown[] {
  const plan = compileSource({ name: 'r.pvm', text: TYPES + text });
  const events: OutputEvent[] = [];
  execute({ plan, target, params: new Map(), allowWrite: true, output: (e) => events.push(e) });
  return events.map((e) => (e.type === 'print' ? e.values.map(jsonValue) : e.type === 'emit' ? jsonValue(e.value) : e.type));
}

const problem = (text: string) => caught(() => compileSource({ name: 'r.pvm', text: TYPES + text }));

describe('declared structs', () => {
  it('are laid out as C lays them out: natural alignment, padding, the size rounded up', () => {
    expect(run('emit a = sizeof(Player)\nemit b = offsetof(Player, inventory)\nemit c = offsetof(Player, pos[2])\nemit d = sizeof(Inventory)\nemit e = sizeof(State)')).toEqual([64, 24, 60, 8, 1]);
    expect(run('struct S { a: u8; b: u64; c: u16 }\nemit s = sizeof(S)\nemit c = offsetof(S, c)')).toEqual([24, 16]);
  });

  it('take `at N` for a field, `packed` for no padding, and unions', () => {
    expect(run('struct P packed { a: u8; b: u64; c: u16 }\nemit s = sizeof(P)\nemit c = offsetof(P, c)')).toEqual([11, 9]);
    expect(run('struct A { a: u32 at 8; b: u8 }\nemit s = sizeof(A)\nemit b = offsetof(A, b)')).toEqual([16, 12]);
    expect(run('union U { a: u8; b: u64; c: u32[3] }\nemit s = sizeof(U)\nemit c = offsetof(U, c)')).toEqual([16, 0]);
  });

  it('refuse overlapping fields, a struct inside itself, and a field named twice', () => {
    expect(problem('struct A { a: u64; b: u32 at 4 }')).toMatchObject({ code: 'invalid-recipe' });
    expect(problem('struct A { a: u64; b: u32 at 4 }').message).toContain("field 'b' (bytes 4..8) overlaps 'a' (bytes 0..8)");
    expect(problem('struct L { next: L }').message).toContain('struct L contains itself by value');
    expect(problem('struct D { a: u8; a: u16 }').message).toContain("'a' is already a field of struct D");
  });
});

describe('typed references', () => {
  it('read members by name, follow pointers, and read char[N] as text', () => {
    const text = 'let p = [0x10008] as Player\nprint p.name, p.level, p.health, p.speed, p.inventory.gold, p.inventory.arrows, p.next.name, p.pos[2]';
    expect(run(text)).toEqual([['ada', 42, -7, 1.25, 1337, 250, 'bob', 3.5]]);
  });

  it('show an enum by its name, and a number no enumerator has as the number', () => {
    expect(run('let p = [0x10008] as Player\nemit s = p.state\nemit n = p.state + 1')).toEqual(['running', 5]);
  });

  it('show a whole struct as an object, pointers as addresses, and say where it was cut', () => {
    const [player] = run('let p = [0x10008] as Player\nemit p = p');
    expect(player).toEqual({ name: 'ada', level: 42, health: -7, inventory: '0x10200', speed: 1.25, next: '0x10300', state: 'running', pos: [1, 2, 3.5] });
    expect(run('struct Big { items: u8[100] }\nemit b = 0x10000 as Big')).toEqual([{ items: [...Array(64).fill(0).map((_, i) => (i === 9 || i === 10 ? 1 : 0)), '… 36 more'] }]);
  });

  it('keep a pointer value an address when shown, and its object with [0]', () => {
    expect(run('let p = [0x10008] as Player\nemit n = p.next\nemit name = p.next[0].name')).toEqual(['0x10300', 'bob']);
  });

  it('give addresses of members for write and patch, and write through them', () => {
    const target = memory();
    expect(run('let p = [0x10008] as Player\nwrite u32 at addressof(p.level) = 99\nemit l = p.level\nemit a = addressof(p.inventory.arrows)', target)).toEqual(['write', 99, '0x10206']);
  });

  it('walk a linked list in a loop, the loop compiled as one with offsets by hand would be', () => {
    const text = 'let node = [0x10008] as Player\nlet total = 0\nwhile node != 0 limit 10 { total = total + node.level\nnode = node.next }\nemit total = total';
    expect(run(text)).toEqual([49]);
    const plan = compileSource({ name: 'r.pvm', text: TYPES + text });
    const loop = plan.steps.find((s) => s.op === 'while')!;
    expect(lowerLoop(loop as never).eligible).toBe(true);
  });

  it('batch reads of members across a for loop, as reads at offsets are', () => {
    const typed = compileSource({ name: 'r.pvm', text: `${TYPES}let players = [0x10100, 0x10300]\nlet t = 0\nfor q in players { let p = q as Player\nt = t + p.level + p.inventory.gold }` });
    const plain = compileSource({ name: 'r.pvm', text: `${TYPES}let players = [0x10100, 0x10300]\nlet t = 0\nfor q in players { let p = q\nt = t + (read u32 at p + 16) + (read u32 at [p + 24]) }` });
    const readAhead = (plan: typeof typed) => (plan.steps.find((s) => s.op === 'for') as Extract<(typeof plan.steps)[number], { op: 'for' }>).readAhead;
    expect(readAhead(typed)).toEqual(readAhead(plain));
    expect(readAhead(typed).sites.length).toBe(3);
  });
});

describe('mistakes', () => {
  it('an unknown member, with a did-you-mean over the struct’s members', () => {
    const error = problem('let p = 0x10100 as Player\nprint p.levle');
    expect(error.message).toContain("struct Player has no member 'levle'");
    expect(error.message).toContain("did you mean 'level'?");
  });

  it('an unknown type, with a did-you-mean over the recipe’s types', () => {
    expect(problem('let p = 0x10100 as Playr').message).toContain("did you mean 'Player'?");
  });

  it('a constant index past an array’s end', () => {
    expect(problem('let p = 0x10100 as Player\nprint p.pos[3]').message).toContain('index 3 is out of bounds: the array has 3 elements');
  });

  it('addressof of something that is not a member', () => {
    expect(problem('print addressof(1 + 2)').message).toContain('addressof takes one member, element or typed reference');
  });

  it('a typed name given an address of another type (a plain address is fine)', () => {
    expect(run('let p = [0x10008] as Player\nlet q = 0\nq = p\np = 0\nemit q = q')).toEqual(['0x10100']);
    expect(problem('let p = 0x10100 as Player\np = 0x10200 as Inventory').message).toContain('p holds the address of struct Player; this gives it the address of struct Inventory');
  });

  it('a type from debug info where there is no target to read it', () => {
    const error = problem('let a = 0x10 as struct malloc_state');
    expect(error.message).toContain("the recipe declares no type 'struct malloc_state'");
    expect(error.message).toContain('give a target');
  });
});

describe('one mistake, one message', () => {
  it('says nothing more of a name whose type was not found, nor of the members it was asked for', () => {
    const error = caught(() => compileSource({ name: 'r.pvm', text: `${TYPES}let a = 0x10 as Playr\nemit t = a.top\nprint (0x10 as Player).levle.x` })) as unknown as { diagnostics: { message: string }[] };
    expect(error.diagnostics.map((d) => d.message)).toEqual(["the recipe declares no type 'Playr'", "struct Player has no member 'levle'"]);
  });
});

describe('after review', () => {
  // +0x500: char *names[3] → "zero", "one", "two" at +0x540, +0x548, +0x550; +0x580: a holder { char **argv; u8 mac[6] }.
  function pointers(): MemoryTarget {
    const target = memory();
    const bytes = (target as unknown as { regions(): { bytes: Uint8Array }[] }).regions()[0]!.bytes;
    const view = new DataView(bytes.buffer);
    ['zero', 'one', 'two'].forEach((text, i) => {
      bytes.set(new TextEncoder().encode(`${text}\0`), 0x540 + i * 8);
      view.setBigUint64(0x500 + i * 8, BASE + 0x540n + BigInt(i * 8), true);
    });
    view.setBigUint64(0x580, BASE + 0x500n, true);
    bytes.set([0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e], 0x588);
    return target;
  }
  const HOLDER = 'struct Holder { argv: char**; mac: u8[6]; name: char[4] }\nlet h = 0x10580 as Holder\n';

  it('index a name holding a pointer to a pointer from where it points, as the same expression inline does', () => {
    expect(run(`${HOLDER}let av = h.argv\nprint read cstring at h.argv[1], read cstring at av[1], read cstring at av[-1 + 3]`, pointers())).toEqual([['one', 'one', 'two']]);
  });

  it('show a u8 array as numbers (a MAC), never as text cut at a NUL', () => {
    expect(run(`${HOLDER}emit mac = h.mac`, pointers())).toEqual([[0, 26, 43, 60, 77, 94]]);
  });

  it('let structs point to ones declared after them', () => {
    expect(run('struct A { b: B*; x: u32 }\nstruct B { a: A*; y: u32 }\nemit s = sizeof(A) + sizeof(B)\nlet a = 0x10008 as A\nemit p = a.b')).toEqual([32, '0x10100']);
  });

  it('take members named like words of the language', () => {
    expect(run('struct Ops { read: u32; write: u32; at: u32 }\nlet o = 0x10200 as Ops\nemit r = o.read\nemit w = offsetof(Ops, write)')).toEqual([1337, 4]);
  });

  it('refuse a write at a number member’s value, with the addressof fix', () => {
    const error = problem('let p = 0x10100 as Player\nwrite u32 at p.level = 5');
    expect(error.message).toContain('this writes where the u32 value of the member points, not at the member');
    expect(error.message).toContain('addressof');
  });

  it('index an array of 0 or 1 elements past its end (C’s old flexible array), and refuse structs nested past 64', () => {
    expect(run('struct T { n: u32; item: u16[1] }\nemit i = (0x10200 as T).item[1]')).toEqual([250]);
    const deep = Array.from({ length: 70 }, (_, i) => (i === 0 ? 'struct S0 { x: u8 }' : `struct S${i} { x: S${i - 1} }`)).join('\n');
    expect(problem(deep).message).toContain('nests structs more than 64 deep');
  });
});

it('compiles a loop that compares an enum, and leaves one that shows it to the interpreter (which shows its name)', () => {
  const counting = `let ps = [0x10100, 0x10300]\nlet n = 0\nfor q in ps { if (q as Player).state == 4 { n = n + 1 } }\nemit n = n`;
  expect(run(counting)).toEqual([2]);
  const loopOf = (text: string) => compileSource({ name: 'r.pvm', text: TYPES + text }).steps.find((s) => s.op === 'for')!;
  expect(lowerLoop(loopOf(counting) as never).eligible).toBe(true);
  const showing = `let ps = [0x10100, 0x10300]\nfor q in ps { print (q as Player).state }`;
  expect(run(showing)).toEqual([['running'], ['running']]);
  expect(lowerLoop(loopOf(showing) as never)).toMatchObject({ eligible: false, why: 'it shows values, and it reads an enum, shown by its name' });
});
