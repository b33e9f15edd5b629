// symbol() and module() against real programs of this machine (Debian's
// bash and sqlite3), each answer compared with what gdb prints for the same
// process: a local symbol from libc's separate debug file, a library object
// the executable holds a copy of, the global lookup with no module, and a
// library found by its soname.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { needs } from '../helpers/needs.ts';

const HAS_GDB = spawnSync('gdb', ['--version']).status === 0;
const SQLITE = '/usr/bin/sqlite3';
const HAS_SQLITE = existsSync(SQLITE);
const HAS_LIBC_DEBUG = existsSync('/usr/lib/debug/.build-id');

let bash: ChildProcess;
let sqlite: ChildProcess;
/** What gdb prints for each expression, by process. */
const gdbSays = new Map<number, Map<string, string>>();

/** Asks gdb (attached for a moment) for each expression's value as hex. */
function askGdb(pid: number, expressions: readonly string[]): Map<string, string> {
  const result = spawnSync('gdb', ['-batch', '-nx', '-p', String(pid), ...expressions.flatMap((e) => ['-ex', `p/x (unsigned long)(${e})`])], { encoding: 'utf8', timeout: 60_000 });
  const values = [...result.stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1]!);
  return new Map(expressions.map((e, i) => [e, values[i] ?? `gdb printed no value for ${e}: ${result.stderr.slice(0, 300)}`]));
}

/** How many entries bash's environ has before its NULL, counted by gdb with a while loop of its own. */
function countWithGdb(pid: number): string {
  const script = join(mkdtempSync(join(tmpdir(), 'pvm-gdb-')), 'count.gdb');
  writeFileSync(script, 'set $i = 0\nwhile environ[$i] != 0\n  set $i = $i + 1\nend\np/x $i\n');
  const result = spawnSync('gdb', ['-batch', '-nx', '-p', String(pid), '-x', script], { encoding: 'utf8', timeout: 60_000 });
  return /^\$\d+ = (0x[0-9a-f]+)$/m.exec(result.stdout)?.[1] ?? `gdb printed no count: ${result.stderr.slice(0, 300)}`;
}

/** Starts a program that waits on its standard input, once it has loaded its libraries. */
async function started(command: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return child;
}

beforeAll(async () => {
  bash = await started('/usr/bin/bash', ['-c', 'read line; true']);
  if (HAS_SQLITE) sqlite = await started(SQLITE, [':memory:']);
  if (HAS_GDB) {
    gdbSays.set(bash.pid!, askGdb(bash.pid!, ['&main_arena', '&environ', 'environ']));
    gdbSays.get(bash.pid!)!.set('entries of environ', countWithGdb(bash.pid!));
    if (HAS_SQLITE) gdbSays.set(sqlite.pid!, askGdb(sqlite.pid!, ['&sqlite3_version']));
  }
}, 120_000);

afterAll(() => {
  bash?.kill();
  sqlite?.kill();
});

describe.each(RUNTIMES)('symbols of real programs on %s, as gdb resolves them', (runtime) => {
  it("finds libc's main_arena in its separate debug file (libc6-dbg)", (context) => {
    needs(context, HAS_GDB && HAS_LIBC_DEBUG, 'needs gdb and libc6-dbg (apt install gdb libc6-dbg)');
    const result = pvm(runtime, ['-e', 'print symbol("libc.so.6", "main_arena")', '--pid', String(bash.pid)]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(gdbSays.get(bash.pid!)!.get('&main_arena'));
  });

  it("gives libc's environ where bash's copy relocation put it, and the pointer it holds", (context) => {
    needs(context, HAS_GDB, 'needs gdb (apt install gdb)');
    const result = pvm(runtime, ['-e', 'print symbol("libc.so.6", "environ")\nprint [symbol("libc.so.6", "environ")]', '--pid', String(bash.pid)]);
    expect(result.stdout.trim().split('\n')).toEqual([gdbSays.get(bash.pid!)!.get('&environ'), gdbSays.get(bash.pid!)!.get('environ')]);
  });

  it('looks up a symbol with no module as the dynamic linker does: the executable first', (context) => {
    needs(context, HAS_GDB, 'needs gdb (apt install gdb)');
    const result = pvm(runtime, ['-e', 'print symbol("environ")', '--pid', String(bash.pid)]);
    expect(result.stdout.trim()).toBe(gdbSays.get(bash.pid!)!.get('&environ'));
  });

  it("walks bash's NULL-terminated environ with while, to gdb's count", (context) => {
    needs(context, HAS_GDB, 'needs gdb (apt install gdb)');
    const recipe = 'let p = [symbol("environ")]\nlet n = 0\nwhile [p] != 0 limit 100000 {\n  n = n + 1\n  p = p + 8\n}\nprint hex(n)';
    const result = pvm(runtime, ['-e', recipe, '--pid', String(bash.pid)]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(gdbSays.get(bash.pid!)!.get('entries of environ'));
  });

  it('reads the same in a loop that names its address by symbol() each time round as in one that named it before', () => {
    const loop = (address: string) => `let n = 0\nfor i in 0..20000 { if read ptr at ${address} != 0 { n = n + 1 } }\nprint n`;
    const named = pvm(runtime, ['-e', loop('symbol("environ")'), '--pid', String(bash.pid)]);
    expect(named).toMatchObject({ status: 0, stderr: '', stdout: '20000\n' });
    const before = pvm(runtime, ['-e', `let environ = symbol("environ")\n${loop('environ')}`, '--pid', String(bash.pid)]);
    expect(before.stdout).toBe(named.stdout);
  });

  it('finds libsqlite3.so.0.8.6 by its soname, libsqlite3.so.0', (context) => {
    needs(context, HAS_GDB && HAS_SQLITE, 'needs gdb and sqlite3 (apt install gdb sqlite3)');
    const result = pvm(runtime, ['-e', 'print symbol("libsqlite3.so.0", "sqlite3_version")', '--pid', String(sqlite.pid)]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(gdbSays.get(sqlite.pid!)!.get('&sqlite3_version'));
  });
});
