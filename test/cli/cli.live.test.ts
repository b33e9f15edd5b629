// The CLI as users run it, on Node, Bun and Deno, against the live C fixture.
// The same recipe and target must give the same bytes on every runtime.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, commandFor, pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { itAsRoot, needs } from '../helpers/needs.ts';
import { FIXTURE_BINARY, ROOT } from '../helpers/paths.ts';
import { AS_ORDINARY_USER, ORDINARY_UID, ordinaryUserEnv } from '../helpers/users.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

const RECIPE = 'test/cli/recipes/fixture.pvm';
const args = () => ['--pid', String(fixture.pid), '--arg', `counter=${fixture.hex('counter')}`, '--arg', `root=${fixture.hex('root')}`, '--arg', `version=${fixture.hex('version')}`];

/** `[root] + 8`: root points at outer_value. */
const chain = () => `0x${(fixture.at('outer') + 8n).toString(16)}`;

/** No runtime may leak a stack trace or a bare errno to the user. */
function expectCleanError(result: CliResult): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/\bE[A-Z]{3,}\b(?! \()/);
}

describe.each(RUNTIMES)('pvm on %s', (runtime) => {
  it('runs a recipe: pointer chain, cstring, print and emit', () => {
    const result = pvm(runtime, ['run', RECIPE, ...args()]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`counter 1000\nmagic = 12648430\nversion = pvm-fixture 1.2.3\nchain = ${chain()}\n`);
    expect(result.status).toBe(0);
  });

  it('prints one JSON object per line with --json (README, "Use")', () => {
    const result = pvm(runtime, ['run', RECIPE, ...args(), '--json']);
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([
      { type: 'print', values: ['counter', 1000], line: 8 },
      { type: 'emit', name: 'magic', value: 12648430, line: 9 },
      { type: 'emit', name: 'version', value: 'pvm-fixture 1.2.3', line: 10 },
      { type: 'emit', name: 'chain', value: chain(), line: 11 },
    ]);
  });

  it('runs a one-line recipe with -e and decodes signed, big-endian and 64-bit values exactly', () => {
    const result = pvm(runtime, [
      '-e',
      `print read i8 at ${fixture.hex('small_negative')}, read i16 at ${fixture.hex('i16_value')}, read i64 at ${fixture.hex('i64_min')}, read u64 at ${fixture.hex('u64_max')}, read u32be at ${fixture.hex('be_value')}, read f32 at ${
        fixture.hex('f32_value')
      }, read f64 at ${fixture.hex('f64_value')}`,
      '--pid',
      String(fixture.pid),
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ type: 'print', values: [-5, -300, '-9223372036854775808', '18446744073709551615', 0x12345678, 1.5, -2.25], line: 1 });
  });

  it('loops over live memory and exits 1 with the compared values when an assert fails', () => {
    const recipe = `let total = 0; for i in 0..16 { total = total + read u8 at ${fixture.hex('page')} + i }; print total; let n = read u32 at symbol("target", "counter"); assert n == 999, "counter moved"`;
    const result = pvm(runtime, ['-e', recipe, '--pid', String(fixture.pid)]);
    expect(result.stdout).toBe('120\n');
    expect(result.stderr.split('\n')[0]).toBe(`<-e>:1:${recipe.indexOf('assert') + 1}: error: assertion failed: counter moved (1000 == 999 is false)`);
    expect(result.status).toBe(1);
  });

  it('finds the target by --name', async () => {
    const { name, start } = uniquelyNamed(runtime);
    const one = await start();
    try {
      expect(pvm(runtime, ['-e', 'print 1', '--name', name])).toMatchObject({ status: 0, stdout: '1\n' });
      // A name cut short suggests the process's whole name.
      expect(pvm(runtime, ['-e', 'print 1', '--name', name.slice(0, -1)])).toMatchObject({ status: 4, stderr: expect.stringContaining(`hint: did you mean '${name}'?`) });
    } finally {
      await one.stop();
    }
  });

  it('refuses a --name that several processes have, listing their pids in numeric order (exit 4)', async () => {
    const { name, start } = uniquelyNamed(runtime);
    const both = [await start(), await start()];
    try {
      const pids = both.map((f) => f.pid).sort((a, b) => a - b);
      expect(pvm(runtime, ['-e', 'print 1', '--name', name])).toMatchObject({ status: 4, stderr: expect.stringContaining(`2 processes are named '${name}' (pids ${pids.join(', ')})`) });
    } finally {
      for (const f of both) await f.stop();
    }
  });

  it('exits 4 for an unmapped address, naming address, pid and nearest region', () => {
    const result = pvm(runtime, ['-e', `let x = read u32 at ${fixture.hex('hole')}`, '--pid', String(fixture.pid)]);
    expect(result.status).toBe(4);
    expect(result.stderr).toBe(
      [
        `<-e>:1:9: error: cannot read u32 at ${fixture.hex('hole')}: ${fixture.hex('hole')} is not mapped in pid ${fixture.pid} (nearest region: ${fixture.hex('page')}-${fixture.hex('hole')} rw-p (anonymous))`,
        `1 | let x = read u32 at ${fixture.hex('hole')}`,
        `  |         ^${'~'.repeat(`read u32 at ${fixture.hex('hole')}`.length - 1)}`,
        `hint: check the address arithmetic; \`pvm maps --pid ${fixture.pid}\` lists the mapped regions`,
        '',
      ].join('\n'),
    );
    expectCleanError(result);
  });

  it('answers a lone read as a batch would, though it takes /proc/PID/mem: a value, a guard page refused, a userfaultfd page refused at once', (context) => {
    needs(context, fixture.has('uffd'), 'the fixture could not register a userfaultfd page (this kernel allows no userfaultfd for this user)');
    const lone = (address: bigint) => pvm(runtime, ['-e', `print read u32 at 0x${address.toString(16)}`, '--pid', String(fixture.pid)]);
    expect(lone(fixture.at('page') + 4n)).toMatchObject({ status: 0, stdout: `${0x07060504}\n`, stderr: '' });
    // PROT_NONE: /proc/PID/mem would read it (the kernel forces its way there), process_vm_readv refuses; pvm refuses.
    const guard = lone(fixture.at('guard'));
    expect(guard.status).toBe(4);
    expect(guard.stderr).toContain('---p (anonymous), which has no read permission');
    // A page registered with userfaultfd and never served: process_vm_readv would wait for ever; the answer comes at once.
    const started = Date.now();
    const uffd = lone(fixture.at('uffd'));
    expect(uffd.status).toBe(4);
    expect(uffd.stderr).toContain('registered with userfaultfd');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('exits 4 for a pid with no process', () => {
    const result = pvm(runtime, ['-e', 'print 1', '--pid', '1073741800']);
    expect(result.status).toBe(4);
    expect(result.stderr).toBe('pvm: error: no process with pid 1073741800\nhint: check the pid with `ps -e`; the process may have exited\n');
  });

  it('exits 2 for a malformed --arg before touching the target, with an error line on stdout under --json', () => {
    const result = pvm(runtime, ['run', RECIPE, '--pid', String(fixture.pid), '--arg', 'counter=0xZZ', '--json']);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ type: 'error', code: 'bad-arg', exit: 2, message: "--arg counter=0xZZ: '0xZZ' is not an integer" });
    expect(result.stderr).toContain("pvm: error: --arg counter=0xZZ: '0xZZ' is not an integer\nhint: param 'counter' is ptr");
  });

  it('exits 2 for a recipe that does not parse, with line, column and caret', () => {
    const result = pvm(runtime, ['-e', 'let x = read u32 at', '--pid', String(fixture.pid)]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^<-e>:1:20: error: unexpected end of recipe: expected .*\\n1 \\| let x = read u32 at\\n  \\|${' '.repeat(20)}\\^\\n`));
    expectCleanError(result);
  });

  it('exits 2 for a misspelt keyword, naming the keyword it is near', () => {
    const result = pvm(runtime, ['-e', 'prnt 1', '--pid', String(fixture.pid)]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("<-e>:1:1: error: 'prnt' is not a statement keyword\n1 | prnt 1\n  | ^~~~\nhint: did you mean 'print'?");
    expectCleanError(result);
  });

  it('exits 2 for usage errors: unknown option, no target, unreadable recipe', () => {
    expect(pvm(runtime, ['run', RECIPE, '--pdi', '1'])).toMatchObject({ status: 2, stderr: "pvm: error: unknown option '--pdi'\nhint: did you mean --pid? run `pvm --help` for the options\n" });
    // Only an option the command takes is suggested: check takes no --freeze.
    expect(pvm(runtime, ['check', RECIPE, '--freez'])).toMatchObject({ status: 2, stderr: "pvm: error: unknown option '--freez'\nhint: run `pvm --help` for the options\n" });
    expect(pvm(runtime, ['run', RECIPE])).toMatchObject({ status: 2, stderr: 'pvm: error: no target given\nhint: name the target with --pid N or --name PROCESS_NAME (or --core FILE, --snapshot FILE, or -- COMMAND to start one)\n' });
    expect(pvm(runtime, ['run', 'missing.pvm', '--pid', '1'])).toMatchObject({ status: 2, stderr: "pvm: error: cannot read recipe 'missing.pvm': no such file\nhint: check the path of the .pvm file\n" });
  });

  it('checks a recipe without a target, and opens one only for types from its debug info', () => {
    const ok = { status: 0, stdout: `${RECIPE}: ok (reads memory only; params counter: ptr, root: ptr, version: ptr)\n` };
    expect(pvm(runtime, ['check', RECIPE])).toMatchObject(ok);
    // No process 999999999 exists: the recipe needs no types, so the target is not opened.
    expect(pvm(runtime, ['check', RECIPE, '--pid', '999999999'])).toMatchObject(ok);
  });

  it('prints the plan for people and as JSON, without a target', () => {
    const text = pvm(runtime, ['plan', RECIPE]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(
      'line 7: let magic = read u32 at ([[root] + 8] + 24)\n    read 8 bytes as ptr at root (line 7, col 26)\n    read 8 bytes as ptr at ([root] + 8) (line 7, col 25)\n    read 4 bytes as u32 at ([[root] + 8] + 24) (line 7, col 13)\n',
    );
    const json = pvm(runtime, ['plan', RECIPE, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ format: 'pvm-plan', version: 7, writes: false, params: [{ name: 'counter' }, { name: 'root' }, { name: 'version' }] });
  });

  it('exits quietly when its reader closes the pipe early', () => {
    const [command, ...rest] = commandFor(runtime);
    const result = spawnSync('sh', ['-c', `"$0" "$@" | head -c 1 >/dev/null`, command!, ...rest, 'maps', '--pid', String(fixture.pid)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
  });

  it('lists the maps, with the fixture binary, the hole and the guard page', () => {
    const result = pvm(runtime, ['maps', '--pid', String(fixture.pid), '--json']);
    expect(result.status).toBe(0);
    const regions = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(regions).toContainEqual({ type: 'region', start: fixture.hex('page'), end: fixture.hex('hole'), perms: 'rw-p', offset: '0x0', path: '', deleted: false });
    expect(regions).toContainEqual(expect.objectContaining({ start: fixture.hex('guard'), perms: '---p' }));
    expect(regions.some((r) => r.path.endsWith('/test/.build/target') && r.perms === 'r-xp')).toBe(true);
  });

  itAsRoot('explains a refusal by the kernel: a target of another user, here root (exit 3)', () => {
    const result = pvm(runtime, ['-e', 'print 1', '--pid', String(fixture.pid)], { prefix: AS_ORDINARY_USER, env: ordinaryUserEnv() });
    expect(result.stderr).toBe(
      `pvm: error: pid ${fixture.pid} (target) runs as uid 0; you are uid ${ORDINARY_UID} without CAP_SYS_PTRACE\nhint: run pvm as root or with CAP_SYS_PTRACE (e.g. \`sudo\`), or as the same user as the target\n`,
    );
    expect(result.status).toBe(3);
  });

  it('explains a refusal by the kernel: a target of your own user that is not dumpable (exit 3)', async () => {
    const undumpable = await startFixture(['--undumpable'], AS_ORDINARY_USER);
    try {
      const result = pvm(runtime, ['-e', 'print 1', '--pid', String(undumpable.pid)], { prefix: AS_ORDINARY_USER, env: ordinaryUserEnv() });
      expect(result.stderr).toBe(
        `pvm: error: pid ${undumpable.pid} (target) is not dumpable (it changed its user or group ids, or called prctl(PR_SET_DUMPABLE, 0)); only a caller with CAP_SYS_PTRACE may read it\nhint: run pvm as root, or have the target call prctl(PR_SET_DUMPABLE, 1)\n`,
      );
      expect(result.status).toBe(3);
    } finally {
      await undumpable.stop();
    }
  });
});

describe.each(RUNTIMES)('symbols on %s', (runtime) => {
  let python: ChildProcess;
  let pyInitialize = '';
  beforeAll(async () => {
    // A non-PIE, stripped executable: Debian's python3.11 has only .dynsym. It reports where it sees its own symbol.
    python = spawn('/usr/bin/python3.11', ['-c', 'import ctypes, sys; print(hex(ctypes.cast(ctypes.pythonapi.Py_Initialize, ctypes.c_void_p).value), flush=True); sys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
    pyInitialize = await new Promise<string>((resolve) => python.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  });
  afterAll(() => {
    python.kill('SIGKILL');
  });

  it('resolves symbols of a PIE and of libc to the addresses the process itself sees', () => {
    const result = pvm(runtime, [
      '-e',
      'let app = module("target"); emit counter = symbol("target", "counter"); emit value = read u32 at symbol("target", "counter"); emit getpid = symbol("libc.so.6", "getpid"); emit offset = symbol("target", "counter") - app.start; emit size = app.size',
      '--pid',
      String(fixture.pid),
      '--json',
    ]);
    expect(result.stderr).toBe('');
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    const [counter, value, getpid, offset, size] = events.map((e) => e.value);
    expect([counter, value, getpid]).toEqual([fixture.hex('counter'), 1000, fixture.hex('getpid')]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(size);
  });

  it('resolves a symbol of a stripped non-PIE executable from .dynsym', () => {
    const result = pvm(runtime, ['-e', 'print symbol("python3.11", "Py_Initialize")', '--pid', String(python.pid)]);
    expect(result).toMatchObject({ status: 0, stdout: `${pyInitialize}\n`, stderr: '' });
  });

  it('prints a module as a region, and refuses IFUNC and unknown modules with a reason (exit 4)', () => {
    const region = pvm(runtime, ['-e', 'print module("target")', '--pid', String(fixture.pid), '--json']);
    expect(JSON.parse(region.stdout).values[0]).toMatchObject({ start: expect.stringMatching(/^0x[0-9a-f]+$/), path: expect.stringMatching(/\/test\/\.build\/target$/) });
    const ifunc = pvm(runtime, ['-e', 'print symbol("libc.so.6", "memcpy")', '--pid', String(fixture.pid)]);
    expect(ifunc.status).toBe(4);
    expect(ifunc.stderr).toContain("<-e>:1:7: error: 'memcpy' in libc.so.6 is an IFUNC");
    const unknown = pvm(runtime, ['-e', 'print module("libc")', '--pid', String(fixture.pid)]);
    expect(unknown).toMatchObject({ status: 4 });
    expect(unknown.stderr).toContain(`<-e>:1:7: error: no module matches 'libc' in pid ${fixture.pid} (target)`);
    expect(unknown.stderr).toContain("hint: did you mean 'libc.so.6'?");
  });
});

describe('every runtime prints the same bytes', () => {
  it('for output and for errors', () => {
    const cases = [
      ['run', RECIPE, ...args(), '--json'],
      ['run', RECIPE, ...args()],
      ['-e', `print read cstring at ${fixture.hex('hole')} - 8`, '--pid', String(fixture.pid)],
      ['-e', 'print 1 / 0; print countr', '--pid', String(fixture.pid)],
    ];
    for (const argv of cases) {
      const [node, ...others] = RUNTIMES.map((runtime) => pvm(runtime, argv));
      for (const other of others) expect(other).toEqual(node);
    }
  });
});

describe("the README's runtime commands", () => {
  it('deno task pvm takes paths from where it is run, as node and bun do (deno task itself runs in the checkout)', () => {
    // As from a shell: npm, which runs these tests, sets INIT_CWD itself, and deno task keeps one already set.
    const { INIT_CWD: _, ...env } = process.env;
    const result = spawnSync(`${ROOT}node_modules/.bin/deno`, ['task', '-q', '--config', `${ROOT}deno.json`, 'pvm', 'check', 'demo.pvm'], { cwd: `${ROOT}examples`, encoding: 'utf8', env });
    expect(result).toMatchObject({ status: 0, stdout: 'demo.pvm: ok (reads memory only)\n' });
  });
});

/** Copies of the fixture under a name no other process has (one per runtime and test run). */
function uniquelyNamed(runtime: string): { name: string; start: () => Promise<Fixture> } {
  const name = `pvmt-${runtime}-${process.pid % 100000}`; // comm holds 15 bytes
  const dir = mkdtempSync(join(tmpdir(), 'pvm-name-'));
  const binary = join(dir, name);
  copyFileSync(FIXTURE_BINARY, binary);
  return { name, start: () => startFixture([], [], binary) };
}
