// pvm types against gdb's ptype /o on the same debug info: a gcc -g object
// library with holes, bitfields, unions, anonymous and nested members
// (test/fixture/layouts.c), the C fixture's executable, libc's types from
// libc6-dbg and CPython's from python3.11-dbg; then the same types through a
// live process's module, a snapshot's, the REPL's .type, --json, and the
// errors (a name not there, no debug info).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, pvm, RUNTIMES } from '../helpers/cli.ts';
import { fixturesPerTest } from '../helpers/fixture.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { FIXTURE_BINARY, ROOT } from '../helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-types-'));
/** Linked, as a program or library is: pvm reads the DWARF of what runs, not of a relocatable .o (whose string offsets are relocations still to apply). */
const OBJECT = join(dir, 'layouts.so');
const STRIPPED = join(dir, 'stripped');
/** Each run builds its own index cache: none is left in $HOME, and none from another run is used. */
const env = { XDG_CACHE_HOME: join(dir, 'cache') };
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const PYTHON = '/usr/bin/python3.11';
const HAS_GDB = hasCommand('gdb');
const HAS_CC = hasCommand('cc');

/** Whether the debug file of `path` is installed where its build-id says (/usr/lib/debug/.build-id/xx/yyyy.debug). */
function hasDebugFile(path: string): boolean {
  const notes = spawnSync('readelf', ['-n', path], { encoding: 'utf8' }).stdout ?? '';
  const id = /Build ID: ([0-9a-f]{3,})/.exec(notes)?.[1];
  return id !== undefined && existsSync(`/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
}
const HAS_LIBC_DEBUG = hasDebugFile(LIBC);
const HAS_PYTHON_DEBUG = hasDebugFile(PYTHON);

const fixture = fixturesPerTest();
const types = (args: string[], runtime: (typeof RUNTIMES)[number] = 'node'): CliResult => pvm(runtime, ['types', ...args], { env });

beforeAll(() => {
  if (HAS_CC) {
    execFileSync('cc', ['-g', '-shared', '-fPIC', '-o', OBJECT, `${ROOT}test/fixture/layouts.c`]);
    execFileSync('objcopy', ['--strip-debug', FIXTURE_BINARY, STRIPPED]);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What gdb's ptype /o prints for each name, one block each. */
function gdbLayouts(file: string, names: readonly string[]): string[] {
  const result = spawnSync('gdb', ['-batch', '-nx', ...names.flatMap((name) => ['-ex', `ptype /o ${name}`]), file], { encoding: 'utf8', timeout: 60_000 });
  const blocks = result.stdout.trimEnd().split(/\n(?=(?:\/\* offset {6}\| {4}size \*\/ {2})?type = )/);
  expect(blocks, `gdb printed ${blocks.length} layouts for ${names.length} names: ${result.stderr.slice(0, 500)}`).toHaveLength(names.length);
  return blocks;
}

/** gdb's spelling of the C base types whose DWARF names pvm shows as the compiler wrote them. */
const GDB_SPELLING: readonly [RegExp, string][] = [
  [/\blong long unsigned int\b/g, 'unsigned long long'],
  [/\blong long int\b/g, 'long long'],
  [/\blong unsigned int\b/g, 'unsigned long'],
  [/\bshort unsigned int\b/g, 'unsigned short'],
  [/\blong int\b/g, 'long'],
  [/\bshort int\b/g, 'short'],
];

/**
 * A layout as both print it, where they agree by design: gdb leaves the
 * header off a typedef's layout and the size off a one-line type, spells a
 * function pointer's parameters, which pvm shows as `(…)`, and shortens base
 * types' names (`long int` is `long`).
 */
function comparable(text: string): string {
  const lines = text.trimEnd().split('\n');
  lines[0] = lines[0]!.replace(/^\/\* offset {6}\| {4}size \*\/ {2}/, '');
  if (lines.length === 2 && lines[1]!.startsWith('/* total size')) lines.pop();
  return lines.map((line) => GDB_SPELLING.reduce((spelled, [dwarf, gdb]) => spelled.replace(dwarf, gdb), line.replace(/\)\([^()]*\)(;?)$/, ')(…)$1'))).join('\n');
}

/** pvm's layout of each name in `file`, with a target's arguments if given, next to gdb's. */
function compareWithGdb(file: string, names: readonly string[], module: string = file, target: readonly string[] = []): void {
  const theirs = gdbLayouts(file, names);
  names.forEach((name, i) => {
    const ours = types([module, name, ...target]);
    expect(ours.stderr, name).toBe('');
    expect(comparable(ours.stdout), name).toBe(comparable(theirs[i]!));
  });
}

describe("pvm types agrees with gdb's ptype /o", () => {
  it('on a gcc -g object: holes, bitfields, unions, anonymous and nested members, a flexible array, typedefs, an enum', (context) => {
    needs(context, HAS_GDB && HAS_CC, 'needs gdb and cc (apt install gdb gcc)');
    compareWithGdb(OBJECT, ['struct holes', 'struct bits', 'struct flex', 'union number', 'struct withfn', 'struct deep', 'struct anonymous', 'point_t', 'enum color', 'callback']);
  });

  it("on the C fixture's executable, and libc's debug file", (context) => {
    needs(context, HAS_GDB && HAS_LIBC_DEBUG, 'needs gdb and libc6-dbg (apt install gdb libc6-dbg)');
    compareWithGdb(FIXTURE_BINARY, ['struct inner', 'struct outer']);
    compareWithGdb(LIBC, ['struct malloc_state', 'struct malloc_chunk', 'struct pthread', 'struct _IO_FILE']);
  });

  it("on CPython's debug file", (context) => {
    needs(context, HAS_GDB && HAS_PYTHON_DEBUG, 'needs gdb and python3.11-dbg (apt install gdb python3.11-dbg)');
    compareWithGdb(PYTHON, ['PyObject', 'PyASCIIObject', 'struct _dictkeysobject', 'PyDictObject', 'PyTypeObject']);
  });
});

describe.each(RUNTIMES)('pvm types on %s', (runtime) => {
  it('lists the names a file defines, sorted, and gives a layout as JSON', (context) => {
    needs(context, HAS_CC, 'needs cc');
    const listed = types([OBJECT], runtime);
    expect(listed.stderr).toBe('');
    const names = listed.stdout.trimEnd().split('\n');
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['struct holes', 'union number', 'point_t', 'enum color', 'callback', 'int']));
    expect(JSON.parse(types([OBJECT, '--json'], runtime).stdout)).toEqual({ type: 'types', file: OBJECT, names });
    const layout = JSON.parse(types([OBJECT, 'struct', 'deep', '--json'], runtime).stdout);
    expect(layout).toEqual({
      type: 'layout',
      file: OBJECT,
      name: 'struct deep',
      kind: 'struct',
      size: 16,
      members: [
        {
          name: 'mid',
          type: 'struct {…}',
          offset: 0,
          size: 12,
          kind: 'struct',
          members: [
            {
              name: 'in',
              type: 'struct {…}',
              offset: 0,
              size: 8,
              kind: 'struct',
              members: [{ name: 'c', type: 'char', offset: 0, size: 1 }, { name: 'i', type: 'int', offset: 4, size: 4 }],
              holes: [{ kind: 'hole', offset: 1, size: 3 }],
            },
            { name: 'after', type: 'char', offset: 8, size: 1 },
          ],
          holes: [{ kind: 'padding', offset: 9, size: 3 }],
        },
        { name: 'last', type: 'short int', offset: 12, size: 2 },
      ],
      holes: [{ kind: 'padding', offset: 14, size: 2 }],
    });
  });

  it('refuses a name not there with exit 2 and the closest name', (context) => {
    needs(context, HAS_CC, 'needs cc');
    const result = types([OBJECT, 'struct hole'], runtime);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`error: no type 'struct hole' in the debug info of ${OBJECT}`);
    expect(result.stderr).toContain("hint: did you mean 'struct holes'?");
    expect(types([OBJECT, 'deeep'], runtime).stderr).toContain("did you mean 'struct deep'?");
  });
});

describe('pvm types on a target', () => {
  it("reads a live process's module, and its libc's types from libc6-dbg", async (context) => {
    const f = await fixture();
    const result = types(['target', 'struct outer', '--pid', String(f.pid)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(types([FIXTURE_BINARY, 'struct outer']).stdout);
    needs(context, HAS_LIBC_DEBUG, 'needs libc6-dbg (apt install libc6-dbg)');
    const arena = types(['libc.so.6', 'struct malloc_state', '--pid', String(f.pid), '--json']);
    expect(JSON.parse(arena.stdout)).toMatchObject({ type: 'layout', name: 'struct malloc_state', size: 2200, holes: [{ kind: 'hole', offset: 12, size: 4 }] });
    const top = JSON.parse(arena.stdout).members.find((m: { name: string }) => m.name === 'top');
    expect(top).toEqual({ name: 'top', type: 'mchunkptr', offset: 96, size: 8 });
  });

  it("reads a snapshot's modules by the build-ids it records, with the process gone", async () => {
    const f = await fixture();
    const snapshot = join(dir, 'fixture.snapshot');
    expect(pvm('node', ['snapshot', '--pid', String(f.pid), '-o', snapshot])).toMatchObject({ status: 0, stderr: '' });
    const live = types(['target', 'struct inner', '--pid', String(f.pid)]).stdout;
    await f.stop();
    const offline = types(['target', 'struct inner', '--snapshot', snapshot]);
    expect(offline.stderr).toBe('');
    expect(offline.stdout).toBe(live);
  });

  it('names what is missing: a module not mapped, a file without debug info, a .o not linked, a module given without a target', async (context) => {
    needs(context, HAS_CC, 'needs cc');
    const f = await fixture();
    const missing = types(['libnothing.so', '--pid', String(f.pid)]);
    expect(missing.status).toBe(4);
    expect(missing.stderr).toContain("error: no module matches 'libnothing.so'");
    const stripped = types([STRIPPED, 'struct outer']);
    expect(stripped.status).toBe(4);
    expect(stripped.stderr).toContain(STRIPPED);
    expect(JSON.parse(types([STRIPPED, '--json']).stdout)).toMatchObject({ type: 'error', code: 'no-debug-info', exit: 4 });
    const object = join(dir, 'layouts.o');
    execFileSync('cc', ['-g', '-c', '-o', object, `${ROOT}test/fixture/layouts.c`]);
    const relocatable = types([object, 'struct holes']);
    expect(relocatable.status).toBe(4);
    expect(relocatable.stderr).toContain('is a relocatable object (.o)');
    const noTarget = types(['libc.so.6', 'struct malloc_state']);
    expect(noTarget.status).toBe(2);
    expect(noTarget.stderr).toContain("hint: a module's name needs a target: pvm types libc.so.6 --pid N");
  });

  it("shows the REPL's .type of the executable's debug info and of a struct the session declares", async () => {
    const f = await fixture();
    const script = '.type struct outer\nstruct Pair { a: u8; b: u64 }\n.type Pair\n.type struct outr\n';
    const result = pvm('node', ['repl', '--pid', String(f.pid)], { input: script, env });
    expect(result.stdout).toBe(`${types([FIXTURE_BINARY, 'struct outer']).stdout}/* offset      |    size */  type = struct Pair {
/*      0      |       1 */    u8 a;
/* XXX  7-byte hole      */
/*      8      |       8 */    u64 b;

                               /* total size (bytes):   16 */
                             }
`);
    expect(result.stderr).toContain("did you mean 'struct outer'?");
    expect(result.status).toBe(2);
  });

  it("finds in the REPL a type the executable lacks in the module that has it, as a recipe's as NAME does, or in the module named", async (context) => {
    needs(context, HAS_LIBC_DEBUG, 'needs libc6-dbg (apt install libc6-dbg)');
    const f = await fixture();
    const libc = types(['libc.so.6', 'struct malloc_state', '--pid', String(f.pid)]).stdout;
    const script = '.type struct malloc_state\n.type struct malloc_state from "libc.so.6"\n.type from "libc.so.6"\n';
    const result = pvm('node', ['repl', '--pid', String(f.pid)], { input: script, env });
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(`${libc}${libc}`)).toBe(true);
    expect(result.stdout.slice(2 * libc.length)).toBe(types(['libc.so.6', '--pid', String(f.pid)]).stdout);
  });
});
