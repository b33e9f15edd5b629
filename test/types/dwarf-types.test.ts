// Types from DWARF against gdb's answers: a C file with every kind of type
// the reader decodes, compiled here with gcc -g (DWARF 5) and -gdwarf-4;
// then Debian's libc (libc6-dbg) and CPython (python3.11-dbg) debug files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Aggregate, concrete, type CType, findMember, sizeOf, spell } from '../../src/types/ctype.ts';
import { debugTypesOfFile } from '../../src/types/debug-info-files.ts';
import { caught } from '../helpers/errors.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { BUILD_DIR, ROOT } from '../helpers/paths.ts';
import { gdbLayouts, ourLayout } from './gdb-layout.ts';
import { one, typesOf } from './type-helpers.ts';

const SOURCE = `${ROOT}test/fixture/types.c`;
const HAS_TOOLS = hasCommand('gcc') && hasCommand('gdb');
const AGGREGATES = [
  'struct node',
  'struct bits',
  'union value',
  'struct with_anon',
  'struct flex',
  'struct qualified',
  'struct matrix',
  'struct player',
  'point_t',
  'struct outer',
  'struct inner',
  'struct uses_declared',
];

function aggregate(type: CType): Aggregate {
  const t = concrete(type);
  if (t.kind !== 'struct' && t.kind !== 'union') throw new Error(`${spell(type)} is not a struct or union`);
  return t;
}

describe.each([
  ['DWARF 5', 'types-dwarf5', ['-g']],
  ['DWARF 4', 'types-dwarf4', ['-g', '-gdwarf-4']],
  ['DWARF 5, type units', 'types-dwarf5-units', ['-g', '-fdebug-types-section']],
])('types of a program built with gcc (%s)', (_version, name, flags) => {
  const binary = `${BUILD_DIR}/${name}`;
  beforeAll(() => {
    if (!HAS_TOOLS) return;
    mkdirSync(BUILD_DIR, { recursive: true });
    execFileSync('gcc', [...flags, '-o', binary, SOURCE]);
  });

  it('lays out every struct and union as gdb does: offsets, bits of bitfields, sizes, anonymous members', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc and gdb');
    const types = typesOf(binary);
    const gdb = gdbLayouts(binary, AGGREGATES);
    for (const type of AGGREGATES) expect(ourLayout(one(types, type)), type).toEqual(gdb.get(type));
  });

  it('decodes bitfields as little-endian bit positions', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const bits = aggregate(one(typesOf(binary), 'struct bits'));
    expect(bits.members.map((m) => [m.name, m.offset, m.bitOffset, m.bitSize])).toEqual([
      ['a', 0, 0, 3],
      ['b', 0, 3, 5],
      ['c', 1, 0, 7],
      ['d', 1, 7, 40],
      ['e', 7, undefined, undefined],
      ['f', 8, 0, 1],
    ]);
    expect(concrete(bits.members[2]!.type)).toMatchObject({ kind: 'int', signed: true, size: 4 });
  });

  it('reads enums: enumerators, signedness and size', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const types = typesOf(binary);
    expect(one(types, 'enum color')).toMatchObject({ kind: 'enum', name: 'color', size: 4, signed: true, enumerators: [{ name: 'RED', value: 0n }, { name: 'GREEN', value: 5n }, { name: 'BLUE', value: -1n }] });
    expect(one(types, 'enum big')).toMatchObject({ kind: 'enum', size: 8, signed: false, enumerators: [{ name: 'SMALL', value: 1n }, { name: 'HUGE', value: 0x100000000n }] });
  });

  it('follows typedef chains and keeps qualifiers', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const types = typesOf(binary);
    const constLevel = one(types, 'const_level_t');
    expect(constLevel).toMatchObject({ kind: 'typedef', name: 'const_level_t' });
    if (constLevel.kind !== 'typedef') throw new Error('not a typedef');
    const qualified = constLevel.target();
    expect(qualified).toMatchObject({ kind: 'qualified', const: true, volatile: false });
    expect(spell(constLevel, 'x')).toBe('const_level_t x');
    expect(concrete(constLevel)).toEqual({ kind: 'int', name: 'unsigned int', size: 4, signed: false });
    const members = aggregate(one(types, 'struct qualified')).members;
    expect(members.map((m) => spell(m.type, m.name))).toEqual(['const int c', 'volatile long int v', 'const volatile char *p', 'char *const cp', 'const_level_t level']);
    expect(one(types, 'point_t')).toMatchObject({ kind: 'typedef', name: 'point_t', origin: binary });
  });

  it('gives arrays their counts: flexible, zero-length, multi-dimensional', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const types = typesOf(binary);
    const data = findMember(aggregate(one(types, 'struct flex')), 'data')!;
    expect(data.type).toMatchObject({ kind: 'array', count: undefined, element: { kind: 'int', char: true, size: 1 } });
    const matrix = aggregate(one(types, 'struct matrix'));
    expect(matrix.members[0]!.type).toMatchObject({ kind: 'array', count: 3, element: { kind: 'array', count: 4, element: { kind: 'int', size: 4 } } });
    expect(matrix.members[1]!.type).toMatchObject({ kind: 'array', count: 0 });
    expect(sizeOf(aggregate(one(types, 'struct player')).members[0]!.type)).toBe(16);
  });

  it('resolves a self-referential node lazily, to the same struct', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const node = aggregate(one(typesOf(binary), 'struct node'));
    const next = findMember(node, 'next')!.type;
    if (next.kind !== 'pointer') throw new Error('next is not a pointer');
    expect(next.target()).toBe(node);
    expect(node.origin).toBe(binary);
  });

  it('finds members through anonymous structs and unions', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const anon = aggregate(one(typesOf(binary), 'struct with_anon'));
    expect(anon.members.map((m) => m.name)).toEqual(['kind', undefined, undefined]);
    expect(findMember(anon, 'd')).toMatchObject({ offset: 8 });
    expect(findMember(anon, 'y')).toMatchObject({ offset: 18 });
  });

  it('keeps a struct only declared as a declaration (size unknown)', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const types = typesOf(binary);
    const pointer = aggregate(one(types, 'struct uses_declared')).members[0]!.type;
    if (pointer.kind !== 'pointer') throw new Error('not a pointer');
    expect(pointer.target()).toMatchObject({ kind: 'struct', name: 'declared_only', size: undefined, members: [] });
    expect(one(types, 'struct declared_only')).toMatchObject({ size: undefined });
    expect(types.names()).not.toContain('struct declared_only');
  });

  it('reads base types: chars, bools, floats, complex', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const types = typesOf(binary);
    expect(one(types, 'signed char')).toEqual({ kind: 'int', name: 'signed char', size: 1, signed: true, char: true });
    expect(one(types, 'unsigned char')).toEqual({ kind: 'int', name: 'unsigned char', size: 1, signed: false, char: true });
    expect(one(types, '_Bool')).toEqual({ kind: 'bool', name: '_Bool', size: 1 });
    expect(one(types, 'long double')).toEqual({ kind: 'float', name: 'long double', size: 16 });
    expect(one(types, 'complex double')).toMatchObject({ kind: 'array', count: 2, element: { kind: 'float', size: 8 } });
  });

  it('names every type as a recipe spells it, and finds nothing for a name not there', (context) => {
    needs(context, HAS_TOOLS, 'needs gcc');
    const types = typesOf(binary);
    expect(types.names()).toEqual(expect.arrayContaining(['struct node', 'union value', 'enum color', 'point_t', 'level_t', 'int', 'struct inner']));
    expect(types.find({ tag: 'struct', name: 'nope' })).toEqual([]);
    expect(types.find({ tag: 'union', name: 'node' })).toEqual([]);
  });
});

it("refuses DWARF 4's .debug_types as debug info it cannot read, rather than finding nothing", (context) => {
  needs(context, HAS_TOOLS, 'needs gcc');
  const binary = `${BUILD_DIR}/types-dwarf4-units`;
  execFileSync('gcc', ['-g', '-gdwarf-4', '-fdebug-types-section', '-o', binary, SOURCE]);
  const error = caught(() => typesOf(binary).find({ tag: 'struct', name: 'player' }));
  expect(error).toMatchObject({ code: 'bad-debug-info', exit: 4 });
  expect(error.message).toContain('.debug_types');
});

describe('Debian debug files', () => {
  const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
  const PYTHON = '/usr/bin/python3.11';

  it("reads libc's struct malloc_state as gdb does (2200 bytes; top, system_mem)", (context) => {
    const types = debugTypesOfFile(LIBC, { cacheDirectory: undefined });
    needs(context, !('problem' in types) && HAS_TOOLS, `needs libc6-dbg and gdb${'problem' in types ? `: ${types.problem.message}` : ''}`);
    if ('problem' in types) return;
    const state = one(types, 'struct malloc_state');
    expect(sizeOf(state)).toBe(2200);
    const gdb = gdbLayouts(types.path, ['struct malloc_state']).get('struct malloc_state')!;
    expect(ourLayout(state)).toEqual(gdb);
    const at = (name: string) => gdb.members.find((m) => m.name === name)!.offset;
    expect(findMember(aggregate(state), 'top')!.offset).toBe(at('top'));
    expect(findMember(aggregate(state), 'system_mem')!.offset).toBe(at('system_mem'));
  }, 60_000);

  it("reads CPython's PyObject and PyTypeObject as gdb does", (context) => {
    needs(context, existsSync(PYTHON), 'needs python3.11');
    const types = debugTypesOfFile(PYTHON, { cacheDirectory: undefined });
    needs(context, !('problem' in types) && HAS_TOOLS, `needs python3.11-dbg and gdb${'problem' in types ? `: ${types.problem.message}` : ''}`);
    if ('problem' in types) return;
    const object = one(types, 'PyObject');
    expect(object).toMatchObject({ kind: 'typedef', name: 'PyObject' });
    expect(concrete(object)).toMatchObject({ kind: 'struct', name: '_object', size: 16 });
    expect(findMember(aggregate(object), 'ob_refcnt')!.offset).toBe(0);
    expect(findMember(aggregate(object), 'ob_type')!.offset).toBe(8);
    const gdb = gdbLayouts(types.path, ['PyTypeObject']).get('PyTypeObject')!;
    const typeObject = one(types, 'PyTypeObject');
    expect(ourLayout(typeObject)).toEqual(gdb);
    expect(findMember(aggregate(typeObject), 'tp_name')!.offset).toBe(gdb.members.find((m) => m.name === 'tp_name')!.offset);
  }, 60_000);
});
