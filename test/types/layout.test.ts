// The layout printer on types built by hand: the text gdb's `ptype /o` prints
// for the same C types (gdb 13, gcc 12 -g: test/types/layout-gdb.live.test.ts
// compares against gdb itself on debug info), and its JSON.
import { describe, expect, it } from 'vitest';
import type { Aggregate, CType, Member } from '../../src/types/ctype.ts';
import { layoutOf } from '../../src/types/layout.ts';
import { layoutText } from '../../src/types/layout-text.ts';
import { layoutJson } from '../../src/types/layout-json.ts';

const int = (name: string, size: number, signed = true): CType => ({ kind: 'int', name, size, signed });
const char = { kind: 'int', name: 'char', size: 1, signed: true, char: true } as const;
const i32 = int('int', 4);
const u32 = int('unsigned int', 4, false);
const i64 = int('long', 8);
const member = (name: string | undefined, offset: number, type: CType, bits?: { bitOffset: number; bitSize: number }): Member => ({ name, offset, type, ...bits });
const struct = (name: string | undefined, size: number, members: Member[]): Aggregate => ({ kind: 'struct', name, size, members });
const union = (name: string | undefined, size: number, members: Member[]): Aggregate => ({ kind: 'union', name, size, members });
const pointer = (target: CType): CType => ({ kind: 'pointer', size: 8, target: () => target });
const array = (element: CType, count: number | undefined): CType => ({ kind: 'array', element, count });

const point = struct('point', 8, [member('x', 0, i32), member('y', 4, i32)]);
const pointT: CType = { kind: 'typedef', name: 'point_t', target: () => point };
const color: CType = { kind: 'enum', name: 'color', size: 4, signed: true, enumerators: [{ name: 'RED', value: 0n }, { name: 'GREEN', value: 5n }, { name: 'BLUE', value: -1n }] };

/** struct holes of a C file compiled by gcc 12 -g, as its DWARF describes it. */
const holes = struct('holes', 112, [
  member('c', 0, char),
  member('l', 8, i64),
  member('s', 16, int('short', 2)),
  member('a', 16, u32, { bitOffset: 16, bitSize: 3 }),
  member('b', 16, u32, { bitOffset: 19, bitSize: 5 }),
  member('d', 20, u32, { bitOffset: 0, bitSize: 7 }),
  member('e', 20, i32, { bitOffset: 7, bitSize: 20 }),
  member('u', 24, union(undefined, 4, [member('i', 0, i32), member('f', 0, { kind: 'float', name: 'float', size: 4 })])),
  member('anon_named', 32, struct(undefined, 16, [member('x', 0, char), member('y', 8, { kind: 'float', name: 'double', size: 8 })])),
  member(undefined, 48, struct(undefined, 8, [member('ax', 0, i32), member('ay', 4, char)])),
  member(undefined, 56, union(undefined, 8, [member('ul', 0, i64), member('uc', 0, array(char, 3))])),
  member('pts', 64, array(point, 2)),
  member('next', 80, pointer(pointT)),
  member('col', 88, color),
  member('name', 96, pointer({ kind: 'qualified', const: true, volatile: false, target: char })),
  member('tail', 104, char),
]);

// gdb -batch -ex 'ptype /o struct holes' layout.o
const GDB_HOLES = `/* offset      |    size */  type = struct holes {
/*      0      |       1 */    char c;
/* XXX  7-byte hole      */
/*      8      |       8 */    long l;
/*     16      |       2 */    short s;
/*     18: 0   |       4 */    unsigned int a : 3;
/*     18: 3   |       4 */    unsigned int b : 5;
/* XXX  1-byte hole      */
/*     20: 0   |       4 */    unsigned int d : 7;
/*     20: 7   |       4 */    int e : 20;
/* XXX  5-bit hole       */
/*     24      |       4 */    union {
/*                     4 */        int i;
/*                     4 */        float f;

                                   /* total size (bytes):    4 */
                               } u;
/* XXX  4-byte hole      */
/*     32      |      16 */    struct {
/*     32      |       1 */        char x;
/* XXX  7-byte hole      */
/*     40      |       8 */        double y;

                                   /* total size (bytes):   16 */
                               } anon_named;
/*     48      |       8 */    struct {
/*     48      |       4 */        int ax;
/*     52      |       1 */        char ay;
/* XXX  3-byte padding   */

                                   /* total size (bytes):    8 */
                               };
/*     56      |       8 */    union {
/*                     8 */        long ul;
/*                     3 */        char uc[3];

                                   /* total size (bytes):    8 */
                               };
/*     64      |      16 */    struct point pts[2];
/*     80      |       8 */    point_t *next;
/*     88      |       4 */    enum color col;
/* XXX  4-byte hole      */
/*     96      |       8 */    const char *name;
/*    104      |       1 */    char tail;
/* XXX  7-byte padding   */

                               /* total size (bytes):  112 */
                             }`;

describe('a layout as text (gdb ptype /o)', () => {
  it('shows offsets, sizes, bitfields, nested and anonymous members, holes and padding as gdb does', () => {
    expect(layoutText(layoutOf(holes))).toBe(GDB_HOLES);
  });

  it('shows bit padding before byte padding, and a bitfield that straddles bytes at its first bit', () => {
    const u8 = int('unsigned char', 1, false);
    const bits = struct('bits', 8, [
      member('a', 0, u8, { bitOffset: 0, bitSize: 1 }),
      member('b', 0, u8, { bitOffset: 1, bitSize: 2 }),
      member('c', 0, int('unsigned short', 2, false), { bitOffset: 3, bitSize: 9 }),
      member('ok', 1, { kind: 'bool', name: '_Bool', size: 1 }, { bitOffset: 4, bitSize: 1 }),
      member('big', 0, int('long long', 8), { bitOffset: 13, bitSize: 40 }),
    ]);
    expect(layoutText(layoutOf(bits))).toBe(`/* offset      |    size */  type = struct bits {
/*      0: 0   |       1 */    unsigned char a : 1;
/*      0: 1   |       1 */    unsigned char b : 2;
/*      0: 3   |       2 */    unsigned short c : 9;
/*      1: 4   |       1 */    _Bool ok : 1;
/*      1: 5   |       8 */    long long big : 40;
/* XXX  3-bit padding    */
/* XXX  1-byte padding   */

                               /* total size (bytes):    8 */
                             }`);
  });

  it('gives a union its members at its start, a nested struct in it offsets, and no holes', () => {
    const number = union('number', 8, [
      member('i', 0, i32),
      member('d', 0, { kind: 'float', name: 'double', size: 8 }),
      member('s', 0, struct(undefined, 8, [member('a', 0, char), member('b', 4, i32)])),
    ]);
    expect(layoutText(layoutOf(number))).toBe(`/* offset      |    size */  type = union number {
/*                     4 */    int i;
/*                     8 */    double d;
/*                     8 */    struct {
/*      0      |       1 */        char a;
/* XXX  3-byte hole      */
/*      4      |       4 */        int b;

                                   /* total size (bytes):    8 */
                               } s;

                               /* total size (bytes):    8 */
                             }`);
  });

  it('shows a flexible array as 0 bytes, a typedef as the type it names, an enum and a base type with their sizes', () => {
    const flex = struct('flex', 4, [member('n', 0, i32), member('data', 4, array(char, undefined))]);
    expect(layoutText(layoutOf(flex))).toContain('/*      4      |       0 */    char data[];');
    expect(layoutText(layoutOf(pointT, 'point_t'))).toMatch(/^\/\* offset {6}\| {4}size \*\/ {2}type = struct point \{\n/);
    expect(layoutText(layoutOf(color))).toBe('type = enum color {RED, GREEN = 5, BLUE = -1}\n/* total size (bytes):    4 */');
    expect(layoutText(layoutOf(i32))).toBe('type = int\n/* total size (bytes):    4 */');
  });

  it('spells a pointer to a function and a pointer to an array as C declares them', () => {
    const withPointers = struct('withfn', 24, [member('fp', 0, pointer({ kind: 'function', name: 'void' })), member('arr', 8, pointer(array(i32, 4))), member('start', 16, pointer({ kind: 'function', name: 'void *' }))]);
    const text = layoutText(layoutOf(withPointers));
    expect(text).toContain('/*     16      |       8 */    void *(*start)(…);');
    expect(text).toContain('/*      0      |       8 */    void (*fp)(…);');
    expect(text).toContain('/*      8      |       8 */    int (*arr)[4];');
  });

  it('shows an anonymous struct behind an array or a pointer in place, from its own start, as gdb does', () => {
    const item = struct(undefined, 24, [member('c', 0, char), member('i', 4, i32), member('deep', 8, struct(undefined, 16, [member('d', 0, char), member('e', 8, i64)])), member('at', 16, point)]);
    const anonymous = struct('anonymous', 64, [member('n', 0, i32), member('items', 8, array(item, 2)), member('p', 56, pointer(struct(undefined, 2, [member('s', 0, int('short', 2))])))]);
    expect(layoutText(layoutOf(anonymous))).toBe(`/* offset      |    size */  type = struct anonymous {
/*      0      |       4 */    int n;
/* XXX  4-byte hole      */
/*      8      |      48 */    struct {
/*      0      |       1 */        char c;
/* XXX  3-byte hole      */
/*      4      |       4 */        int i;
/*      8      |      16 */        struct {
/*      8      |       1 */            char d;
/* XXX  7-byte hole      */
/*     16      |       8 */            long e;
                                   } deep;
/*     16      |       8 */        struct point at;
                               } items[2];
/*     56      |       8 */    struct {
/*      0      |       2 */        short s;
                               } *p;

                               /* total size (bytes):   64 */
                             }`);
    const json = layoutJson(layoutOf(anonymous));
    if (json.kind !== 'struct') throw new Error('a struct');
    expect(json.members[2]).toEqual({ name: 'p', type: 'struct {…} *', offset: 56, size: 8, anonymous: { kind: 'struct', size: 2, members: [{ name: 's', type: 'short', offset: 0, size: 2 }], holes: [] } });
    expect(json.members[1]!.anonymous).toMatchObject({ kind: 'struct', size: 24, holes: [{ kind: 'hole', offset: 1, size: 3 }] });
  });

  it('says a struct only declared has no known size', () => {
    const declared: Aggregate = { kind: 'struct', name: 'opaque', size: undefined, members: [] };
    expect(layoutText(layoutOf(declared))).toContain('/* total size (bytes): unknown: only declared */');
  });

  it('does not expand a struct member behind a typedef (as gdb), nor a recursive one past 32 levels', () => {
    const holder = struct('holder', 8, [member('p', 0, pointT)]);
    expect(layoutText(layoutOf(holder))).toContain('/*      0      |       8 */    point_t p;');
    const loop: { kind: 'struct'; name: string; size: number; members: Member[] } = { kind: 'struct', name: 'loop', size: 8, members: [] };
    loop.members.push(member('again', 0, loop));
    expect(layoutText(layoutOf(loop)).split('\n').filter((line) => line.includes('struct loop {'))).toHaveLength(33);
  });
});

describe('a layout as JSON', () => {
  it('gives members with offsets, sizes and C types, bitfields with bits, nested members, and holes', () => {
    const json = layoutJson(layoutOf(holes));
    expect(json).toMatchObject({ name: 'struct holes', kind: 'struct', size: 112 });
    if (json.kind !== 'struct') throw new Error('a struct');
    expect(json.members[0]).toEqual({ name: 'c', type: 'char', offset: 0, size: 1 });
    expect(json.members[3]).toEqual({ name: 'a', type: 'unsigned int', offset: 18, size: 4, bitOffset: 0, bitSize: 3 });
    expect(json.members[6]).toEqual({ name: 'e', type: 'int', offset: 20, size: 4, bitOffset: 7, bitSize: 20 });
    expect(json.members[8]).toEqual({
      name: 'anon_named',
      type: 'struct {…}',
      offset: 32,
      size: 16,
      kind: 'struct',
      members: [{ name: 'x', type: 'char', offset: 32, size: 1 }, { name: 'y', type: 'double', offset: 40, size: 8 }],
      holes: [{ kind: 'hole', offset: 33, size: 7 }],
    });
    expect(json.members[9]).toMatchObject({ name: null, kind: 'struct', holes: [{ kind: 'padding', offset: 53, size: 3 }] });
    expect(json.members.find((m) => m.name === 'name')?.type).toBe('const char *');
    expect(json.holes).toEqual([
      { kind: 'hole', offset: 1, size: 7 },
      { kind: 'hole', offset: 19, size: 1 },
      { kind: 'hole', offset: 23, bitOffset: 3, bitSize: 5 },
      { kind: 'hole', offset: 28, size: 4 },
      { kind: 'hole', offset: 92, size: 4 },
      { kind: 'padding', offset: 105, size: 7 },
    ]);
  });

  it('gives a typedef its target, an enum its enumerators (beyond 2^53 as text), a base type its sign', () => {
    expect(layoutJson(layoutOf(pointT, 'point_t'))).toMatchObject({ name: 'point_t', kind: 'typedef', size: 8, target: { name: 'struct point', kind: 'struct', size: 8 } });
    const big: CType = { kind: 'enum', name: undefined, size: 8, signed: false, enumerators: [{ name: 'HUGE', value: 2n ** 63n }] };
    expect(layoutJson(layoutOf(big))).toEqual({ name: 'enum {…}', kind: 'enum', size: 8, signed: false, enumerators: [{ name: 'HUGE', value: '9223372036854775808' }] });
    expect(layoutJson(layoutOf(u32))).toEqual({ name: 'unsigned int', kind: 'int', size: 4, signed: false });
    expect(layoutJson(layoutOf(array(char, 16)))).toEqual({ name: 'char [16]', kind: 'array', size: 16, element: 'char', count: 16 });
  });
});
