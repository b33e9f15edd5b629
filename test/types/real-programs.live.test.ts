// Types from the debug info of real programs, against gdb's answers in the
// same test: bash's malloc arena (libc6-dbg) and CPython's objects
// (python3.11-dbg), live on Node, Bun and Deno, and offline from a
// snapshot and from gdb's gcore.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { ROOT } from '../helpers/paths.ts';

const PYTHON = '/usr/bin/python3.11';
const children: { kill(): void }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** A program started by the test, once it has had time to set up. */
async function start(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => setTimeout(resolve, 400));
  return child.pid!;
}

/** gdb's value of each expression in the process (or core), as gdb prints it after `$N = `. */
function gdb(target: string[], expressions: string[]): string[] {
  const out = execFileSync('gdb', ['-batch', '-nx', ...expressions.flatMap((e) => ['-ex', `p ${e}`]), ...target], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return [...out.matchAll(/^\$\d+ = (?:\([^)]*\) )?(.*)$/gm)].map((m) => m[1]!);
}

const ARENA = [
  'let a = symbol("libc.so.6", "main_arena") as struct malloc_state',
  'emit top = a.top',
  'emit system_mem = a.system_mem',
  'emit size = sizeof(struct malloc_state)',
  'emit next_is_itself = a.next == addressof(a)',
].join('\n');

function needsDebugInfo(context: TestContext): void {
  needs(context, hasCommand('gdb'), 'gdb is needed to compare with: apt install gdb');
  needs(context, existsSync('/usr/lib/debug/.build-id'), "libc's debug file is needed: apt install libc6-dbg");
}

describe.each(RUNTIMES)('types from debug info on %s', (runtime) => {
  it("reads bash's main_arena by field names, as gdb prints it", async (context) => {
    needsDebugInfo(context);
    const pid = await start('bash', ['-c', 'x=$(seq 1 1000); while :; do sleep 1; done']);
    const result = pvm(runtime, ['-e', ARENA, '--pid', String(pid), '--json'], { env: { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'pvm-cache-')) } });
    expect(result.stderr).toBe('');
    const emitted = Object.fromEntries(result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; value: unknown }).map((e) => [e.name, e.value]));
    const [top, systemMem, size] = gdb(['-p', String(pid)], ['main_arena.top', 'main_arena.system_mem', 'sizeof(struct malloc_state)']);
    expect(emitted).toEqual({ top, system_mem: Number(systemMem), size: Number(size), next_is_itself: true });
    expect(emitted.size).toBe(2200);
  });

  it("follows CPython's None to its type's name, and walks sys.modules and a module's globals by name (python-globals.pvm)", async (context) => {
    needs(context, existsSync(PYTHON), `${PYTHON} is needed: apt install python3.11-minimal`);
    needs(context, execFileSync('sh', ['-c', "dpkg-query -W -f='${Status}' python3.11-dbg 2>/dev/null || true"], { encoding: 'utf8' }).includes('ok installed'), "CPython's debug file is needed: apt install python3.11-dbg");
    const pid = await start(PYTHON, ['-c', "secret = 'typed-py-' + str(6 * 7); import time; time.sleep(60)"]);
    const none = pvm(runtime, ['-e', 'let none = symbol("python3.11", "_Py_NoneStruct") as PyObject\nemit t = read cstring at none.ob_type.tp_name', '--pid', String(pid)]);
    expect(none).toMatchObject({ status: 0, stdout: 't = NoneType\n' });
    const globals = pvm(runtime, ['run', `${ROOT}examples/cookbook/python-globals.pvm`, '--pid', String(pid)]);
    expect(globals).toMatchObject({ status: 0, stderr: '', stdout: 'type = str\ntext = typed-py-42\n' });
  });
});

describe('types from debug info, offline', () => {
  it('read the same from a snapshot as from the live process, and from gdb’s gcore', async (context) => {
    needsDebugInfo(context);
    const dir = mkdtempSync(join(tmpdir(), 'pvm-types-'));
    const pid = await start('bash', ['-c', 'x=$(seq 1 1000); while :; do sleep 1; done']);
    const live = pvm('node', ['-e', ARENA, '--pid', String(pid)]);
    expect(live.status).toBe(0);
    expect(pvm('node', ['snapshot', '--pid', String(pid), '-o', `${dir}/bash.snapshot`]).status).toBe(0);
    execFileSync('gdb', ['-batch', '-nx', '-p', String(pid), '-ex', `gcore ${dir}/bash.core`], { stdio: 'ignore' });
    for (const child of children.splice(0)) child.kill();
    expect(pvm('node', ['-e', ARENA, '--snapshot', `${dir}/bash.snapshot`])).toMatchObject({ status: 0, stdout: live.stdout });
    expect(pvm('node', ['-e', ARENA, '--core', `${dir}/bash.core`])).toMatchObject({ status: 0, stdout: live.stdout });
  });
});
