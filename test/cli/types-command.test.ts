// pvm types on debug info built by hand: the names it lists, the layout of a
// name (tagged, plain, a typedef), several definitions, did-you-mean; and how
// the command line is read.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.ts';
import { sessionTypesOutput, typesOutput } from '../../src/cli/types-command.ts';
import { PvmError } from '../../src/errors.ts';
import type { Aggregate, CType, TypeName } from '../../src/types/ctype.ts';
import type { DwarfDebugTypes } from '../../src/types/dwarf/debug-types.ts';

const i32: CType = { kind: 'int', name: 'int', size: 4, signed: true };
const i64: CType = { kind: 'int', name: 'long', size: 8, signed: true };
const state: Aggregate = { kind: 'struct', name: 'malloc_state', size: 16, members: [{ name: 'mutex', offset: 0, type: i32 }, { name: 'top', offset: 8, type: i64 }] };
const other: Aggregate = { kind: 'struct', name: 'malloc_state', size: 4, members: [{ name: 'mutex', offset: 0, type: i32 }] };
const mstate: CType = { kind: 'typedef', name: 'mstate', target: () => ({ kind: 'pointer', size: 8, target: () => state }) };

function debugTypes(definitions: Record<string, CType[]>): DwarfDebugTypes {
  const key = (name: TypeName) => (name.tag === undefined ? name.name : `${name.tag} ${name.name}`);
  const find = (name: TypeName) => definitions[key(name)] ?? [];
  return {
    path: '/usr/lib/debug/.build-id/ab/cdef.debug',
    buildId: 'abcdef',
    find,
    definitions: (name) => find(name).map((type, i) => ({ type, unit: `unit${i}.c`, units: i + 1 })),
    names: () => Object.keys(definitions),
  };
}

const types = debugTypes({ 'struct malloc_state': [state], mstate: [mstate], int: [i32], 'struct arena': [other, state] });
const asked = 'libc.so.6 in pid 42 (bash)';

function failure(run: () => unknown): PvmError {
  try {
    run();
  } catch (error) {
    if (error instanceof PvmError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('pvm types on debug info', () => {
  it('lists the names it defines, sorted; with --json one line with the array', () => {
    expect(typesOutput(types, undefined, false, asked)).toEqual(['int', 'mstate', 'struct arena', 'struct malloc_state']);
    expect(JSON.parse(typesOutput(types, undefined, true, asked)[0]!)).toEqual({ type: 'types', file: types.path, names: ['int', 'mstate', 'struct arena', 'struct malloc_state'] });
  });

  it('shows a layout by its tagged name, or its plain name when no typedef has it', () => {
    const text = typesOutput(types, 'struct malloc_state', false, asked);
    expect(text).toEqual(typesOutput(types, 'malloc_state', false, asked));
    expect(text[0]).toContain('type = struct malloc_state {');
    expect(text[0]).toContain('/* XXX  4-byte hole      */');
    expect(typesOutput(types, 'mstate', false, asked)).toEqual(['type = struct malloc_state *\n/* total size (bytes):    8 */']);
  });

  it('gives each layout a JSON line tagged layout, with the file it was read from', () => {
    const [line] = typesOutput(types, 'struct malloc_state', true, asked);
    expect(JSON.parse(line!)).toEqual({
      type: 'layout',
      file: types.path,
      name: 'struct malloc_state',
      kind: 'struct',
      size: 16,
      members: [{ name: 'mutex', type: 'int', offset: 0, size: 4 }, { name: 'top', type: 'long', offset: 8, size: 8 }],
      holes: [{ kind: 'hole', offset: 4, size: 4 }],
    });
    expect(JSON.parse(typesOutput(types, 'mstate', true, asked)[0]!)).toMatchObject({ type: 'layout', name: 'mstate', kind: 'typedef', size: 8, target: { kind: 'pointer', name: 'struct malloc_state *' } });
  });

  it('shows every definition of a name defined differently, and says so', () => {
    const lines = typesOutput(types, 'struct arena', false, asked);
    expect(lines[0]).toBe(`/* struct arena: 2 different definitions in ${types.path} */`);
    expect(lines[1]!.match(/type = struct arena \{/g)).toHaveLength(2);
    expect(lines[1]!.split('\n').filter((line) => line.startsWith('/* as '))).toEqual(['/* as unit0.c defines it */', '/* as unit1.c defines it (and 1 more compile units alike) */']);
    expect(typesOutput(types, 'struct arena', true, asked)).toHaveLength(2);
  });

  it('refuses a name not there with exit 2 and the closest name, tagged or not', () => {
    const error = failure(() => typesOutput(types, 'malloc_stat', false, asked));
    expect([error.exit, error.code, error.message]).toEqual([2, 'no-type', `no type 'malloc_stat' in the debug info of libc.so.6 in pid 42 (bash), read from ${types.path}`]);
    expect(error.hint).toBe("did you mean 'struct malloc_state'?");
    expect(failure(() => typesOutput(types, 'struct malloc_stat', false, asked)).hint).toBe("did you mean 'struct malloc_state'?");
    expect(failure(() => typesOutput(types, 'struct zzz', false, asked)).hint).toBe(`\`pvm types ${types.path}\` lists the types it defines`);
    expect(failure(() => typesOutput(types, 'union malloc_state', false, asked)).message).toContain("no type 'union malloc_state'");
  });

  it('reports a problem finding the debug info with its own code and exit status', () => {
    const problem = { code: 'no-debug-info', message: 'no debug info for /usr/bin/x', hint: 'install its -dbg package', exit: 4 } as const;
    const error = failure(() => typesOutput({ problem }, undefined, false, asked));
    expect([error.exit, error.code, error.message, error.hint]).toEqual([4, 'no-debug-info', problem.message, problem.hint]);
  });
});

describe("the REPL's .type", () => {
  const declared = new Map<string, CType>([['Player', { kind: 'struct', name: 'Player', size: 8, members: [{ name: 'level', offset: 4, type: i32 }] }]]);
  const noDebugInfo = { problem: { code: 'no-debug-info', message: 'the executable has no debug info', hint: 'install its -dbg package', exit: 4 } } as const;

  it('shows a type the session declared before looking in debug info, which it does not need', () => {
    const lines = sessionTypesOutput(declared, { debug: () => noDebugInfo }, 'Player', false, asked);
    expect(lines[0]).toContain('type = struct Player {');
    expect(lines[0]).toContain('/* XXX  4-byte hole      */');
    expect(sessionTypesOutput(declared, { debug: () => noDebugInfo }, 'struct Player', true, asked).map((line) => JSON.parse(line))).toMatchObject([{ type: 'layout', file: null, name: 'struct Player' }]);
  });

  it("else the executable's, and without a name lists both", () => {
    expect(sessionTypesOutput(declared, { debug: () => types }, 'mstate', false, asked)).toEqual(typesOutput(types, 'mstate', false, asked));
    expect(sessionTypesOutput(declared, { debug: () => types }, undefined, false, asked)).toEqual(['Player', 'int', 'mstate', 'struct arena', 'struct malloc_state']);
    expect(JSON.parse(sessionTypesOutput(declared, { debug: () => noDebugInfo }, undefined, true, asked)[0]!)).toEqual({ type: 'types', file: null, declared: ['Player'], names: [] });
  });

  it("else the one layout the other modules agree on, as a recipe's as NAME finds it", () => {
    const lookup = (name: TypeName) => (name.name === 'malloc_state' ? { type: state } : { problem: { code: 'no-type', message: `no ${name.name} anywhere`, hint: undefined, exit: 2 } } as const);
    const lines = sessionTypesOutput(new Map(), { debug: () => noDebugInfo, anywhere: lookup }, 'malloc_state', false, asked);
    expect(lines[0]).toContain('type = struct malloc_state {');
    expect(failure(() => sessionTypesOutput(new Map(), { debug: () => noDebugInfo, anywhere: lookup }, 'nothing', false, asked)).message).toBe('no nothing anywhere');
    // The executable has debug info without the name: its names are the did-you-mean.
    expect(failure(() => sessionTypesOutput(new Map(), { debug: () => types, anywhere: lookup }, 'mstat', false, asked)).hint).toMatch(/^did you mean 'mstate'\?/);
  });

  it('says what it declares when the debug info cannot be read', () => {
    const error = failure(() => sessionTypesOutput(declared, { debug: () => noDebugInfo }, 'Playr', false, asked));
    expect([error.exit, error.code, error.message]).toEqual([4, 'no-debug-info', "no type 'Playr' declared in this session, and the executable has no debug info"]);
    expect(error.hint).toBe("did you mean 'Player'? this session declares Player; install its -dbg package");
    expect(failure(() => sessionTypesOutput(new Map(), { debug: () => noDebugInfo }, undefined, false, asked)).code).toBe('no-debug-info');
  });
});

describe('the command line of pvm types', () => {
  it('takes a file and a name, one word or two, with or without a target', () => {
    expect(parseCommandLine(['types', '/usr/bin/bash'])).toEqual({ kind: 'types', module: '/usr/bin/bash', name: undefined, target: undefined, json: false, policy: { file: undefined, audit: undefined } });
    expect(parseCommandLine(['types', 'f', 'struct', 'x', '--json'])).toMatchObject({ name: 'struct x', json: true });
    expect(parseCommandLine(['types', 'libc.so.6', 'struct x', '--pid', '42'])).toMatchObject({ module: 'libc.so.6', name: 'struct x', target: { kind: 'pid', pid: 42 } });
    expect(parseCommandLine(['types', 'libc.so.6', '--core', 'c.core', '--policy', 'p.json'])).toMatchObject({ target: { kind: 'core', path: 'c.core' }, policy: { file: 'p.json' } });
    expect(parseCommandLine(['types', 'target', '--', './target'])).toMatchObject({ target: { kind: 'spawn', command: ['./target'] } });
  });

  it('refuses no operand, a third one, and a policy or --ready without a target', () => {
    const refusal = (argv: string[]) => failure(() => parseCommandLine(argv)).message;
    expect(refusal(['types'])).toBe('pvm types needs a module or a file');
    expect(refusal(['types', 'f', 'a', 'b'])).toBe("unexpected argument 'b'");
    expect(refusal(['types', 'f', 'x', '--policy', 'p.json'])).toBe('--policy applies to a target, and pvm types FILE reads only the file');
    expect(refusal(['types', 'f', '--ready', 'loaded'])).toBe('--ready applies to a program pvm starts (-- COMMAND ARGS...)');
    expect(refusal(['types', 'f', '--allow-write'])).toBe('--allow-write does not apply to pvm types');
  });
});
