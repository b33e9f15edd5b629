// Issue 15, item 6: every recipe of the cookbook (examples/, README
// "Cookbook") runs against a real process: bash, Debian's python3.11, and the
// demo server, on Node, Bun and Deno.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { needs } from '../helpers/needs.ts';
import { ROOT } from '../helpers/paths.ts';

const COOKBOOK = `${ROOT}examples/cookbook`;
const PYTHON = '/usr/bin/python3.11'; // Debian's: stripped, non-PIE, with libpython inside
let demoBinary: string;
beforeAll(() => {
  demoBinary = join(mkdtempSync(join(tmpdir(), 'pvm-cookbook-')), 'demo-target');
  execFileSync('cc', ['-O0', '-o', demoBinary, `${ROOT}examples/demo-target.c`]);
});

/** Skips a case without Debian's python3.11 and the debug file CPython's types come from. */
function needsDebianPython(context: TestContext): void {
  needs(context, existsSync(PYTHON), `${PYTHON} (Debian's python3.11) is needed: apt install python3.11-minimal`);
  needs(context, execFileSync('sh', ['-c', "dpkg-query -W -f='${Status}' python3.11-dbg 2>/dev/null || true"], { encoding: 'utf8' }).includes('ok installed'), "CPython's types come from its debug file: apt install python3.11-dbg");
}

/** The demo server, started by the test (it lets its parent's descendants trace it, as under Yama 1). */
interface Demo {
  readonly pid: number;
  readonly world: bigint;
  tick(): Promise<string>;
}
const demos: { kill(): void }[] = [];
afterEach(() => {
  for (const demo of demos.splice(0)) demo.kill();
});
async function startDemo(): Promise<Demo> {
  const child = spawn(demoBinary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  demos.push(child);
  let text = '';
  const waiting: ((line: string) => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (let nl = text.indexOf('\n'); nl >= 0 && waiting.length > 0; nl = text.indexOf('\n')) {
      waiting.shift()!(text.slice(0, nl));
      text = text.slice(nl + 1);
    }
  });
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const { pid, world } = JSON.parse(await nextLine()) as { pid: number; world: string };
  return {
    pid,
    world: BigInt(world),
    tick: () => {
      const line = nextLine();
      child.stdin.write('\n');
      return line;
    },
  };
}

describe.each(RUNTIMES)('the cookbook on %s', (runtime) => {
  it('heap-string.pvm finds a string bash built in its heap', () => {
    const result = pvm(runtime, ['run', `${COOKBOOK}/heap-string.pvm`, '--ready', 'ms:300', '--then', 'kill', '--', 'bash', '-c', 'v="cookbook-heap-$((6*7))"; while :; do sleep 1 >/dev/null 2>&1; done']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^copies = 1\naddress = 0x[0-9a-f]+\ntext = cookbook-heap-42\n$/);
  });

  it('heap-string.pvm finds the string given with --arg needle=, as the README runs it', () => {
    const result = pvm(runtime, ['run', `${COOKBOOK}/heap-string.pvm`, '--arg', 'needle=hello-pvm-7', '--ready', 'ms:300', '--then', 'kill', '--', 'bash', '-c', 'v="hello-pvm-$((3+4))"; while :; do sleep 1 >/dev/null 2>&1; done']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^copies = 1\naddress = 0x[0-9a-f]+\ntext = hello-pvm-7\n$/);
  });

  it('python-str.pvm reads the interpreter version and a str object of a running python3.11', (context) => {
    needsDebianPython(context);
    const version = execFileSync(PYTHON, ['-c', 'import sys; print(*sys.version_info[:3])'], { encoding: 'utf8' }).trim().split(' ');
    const result = pvm(runtime, ['run', `${COOKBOOK}/python-str.pvm`, '--ready', 'ms:500', '--then', 'kill', '--', PYTHON, '-c', "s = 'cookbook-py-' + str(6 * 7); import time; time.sleep(60)"]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^major = ${version[0]}\\nminor = ${version[1]}\\nmicro = ${version[2]}\\nstr_object = 0x[0-9a-f]+\\nrefcount = [1-9][0-9]*\\nvalue = cookbook-py-42\\n$`));
  });

  it('python-str.pvm finds the str given with --arg text=', (context) => {
    needsDebianPython(context);
    const result = pvm(runtime, ['run', `${COOKBOOK}/python-str.pvm`, '--arg', 'text=hello-pvm-7', '--ready', 'ms:500', '--then', 'kill', '--', PYTHON, '-c', "s = 'hello-pvm-' + str(3 + 4); import time; time.sleep(60)"]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/\nstr_object = 0x[0-9a-f]+\nrefcount = [1-9][0-9]*\nvalue = hello-pvm-7\n$/);
  });

  it('pointer-path.pvm follows a Cheat Engine pointer path to the demo player gold', async () => {
    const demo = await startDemo();
    // &world.player, then player.inventory (+24), then bag.gold (+0).
    const result = pvm(runtime, ['run', `${COOKBOOK}/pointer-path.pvm`, '--pid', String(demo.pid), '--arg', `base=0x${(demo.world + 8n).toString(16)}`, '--arg', 'offsets=0x18,0x0']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^address = 0x[0-9a-f]+\nvalue = 1337\n$/);
  });

  it("pointer-scan.pvm finds the paths to the guest's gold, and pointer-rescan.pvm keeps them in the next run of the demo", async () => {
    const first = await startDemo();
    const gold = pvm(runtime, ['-e', 'print [[symbol("demo-target", "world") + 24] + 0x18]', '--pid', String(first.pid)]).stdout.trim();
    const scanned = pvm(runtime, ['run', `${COOKBOOK}/pointer-scan.pvm`, '--pid', String(first.pid), '--arg', `address=${gold}`, '--json']);
    expect(scanned.status).toBe(0);
    const saved = join(mkdtempSync(join(tmpdir(), 'pvm-cookbook-')), 'paths.jsonl');
    writeFileSync(saved, scanned.stdout);
    // &world.guest, then the guest's inventory at +0x18, then the gold at +0: all on the heap but world.
    const offset = (first.world + 24n - BigInt(`0x${readFileSync(`/proc/${first.pid}/maps`, 'utf8').split('-')[0]}`)).toString(16);
    const wanted = { base: `demo-target+0x${offset}`, offsets: ['0x18', '0x0'] };
    for (const d of demos.splice(0)) d.kill();
    const second = await startDemo();
    const kept = pvm(runtime, ['run', `${COOKBOOK}/pointer-rescan.pvm`, '--pid', String(second.pid), '--arg', `paths=@${saved}`, '--arg', 'value=250', '--json']);
    expect(kept.stderr).toBe('');
    const emitted = kept.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((line) => line.type === 'emit');
    expect(emitted.value).toContainEqual(wanted);
  });

  it('fly.pvm hot-patches the demo server while it runs, and pvm revert undoes it', async () => {
    const demo = await startDemo();
    const journal = join(mkdtempSync(join(tmpdir(), 'pvm-cookbook-')), 'fly.journal');
    expect(await demo.tick()).toContain('can fly: no');
    expect(pvm(runtime, ['run', `${ROOT}examples/fly.pvm`, '--pid', String(demo.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    expect(await demo.tick()).toContain('can fly: yes');
    expect(pvm(runtime, ['revert', journal, '--allow-write']).status).toBe(0);
    expect(await demo.tick()).toContain('can fly: no');
  });

  it('demo.pvm reads a snapshot offline as it read the process live', async () => {
    const demo = await startDemo();
    const snapshot = join(mkdtempSync(join(tmpdir(), 'pvm-cookbook-')), 'demo.snapshot');
    const live = pvm(runtime, ['run', `${ROOT}examples/demo.pvm`, '--pid', String(demo.pid)]);
    expect(pvm(runtime, ['snapshot', '--pid', String(demo.pid), '-o', snapshot]).status).toBe(0);
    for (const d of demos.splice(0)) d.kill(); // offline: the process is gone
    const offline = pvm(runtime, ['run', `${ROOT}examples/demo.pvm`, '--snapshot', snapshot]);
    expect(offline).toMatchObject({ status: 0, stdout: live.stdout });
    expect(live.stdout).toContain('gold = 1337');
  });

  it('typed-demo.pvm reads the demo player by field names, as demo.pvm reads it by offsets, live and from a snapshot', async () => {
    const demo = await startDemo();
    const snapshot = join(mkdtempSync(join(tmpdir(), 'pvm-cookbook-')), 'demo.snapshot');
    const offsets = pvm(runtime, ['run', `${ROOT}examples/demo.pvm`, '--pid', String(demo.pid)]);
    const typed = pvm(runtime, ['run', `${ROOT}examples/typed-demo.pvm`, '--pid', String(demo.pid)]);
    expect(typed).toMatchObject({ status: 0, stderr: '', stdout: offsets.stdout });
    expect(pvm(runtime, ['snapshot', '--pid', String(demo.pid), '-o', snapshot]).status).toBe(0);
    for (const d of demos.splice(0)) d.kill();
    expect(pvm(runtime, ['run', `${ROOT}examples/typed-demo.pvm`, '--snapshot', snapshot])).toMatchObject({ status: 0, stdout: offsets.stdout });
  });

  it('demo-service.policy.json lets give-gold.pvm write the gold and refuses a patch of code (exit 3)', async () => {
    const demo = await startDemo();
    const policy = ['--policy', `${COOKBOOK}/demo-service.policy.json`];
    const gold = pvm(runtime, ['run', `${COOKBOOK}/give-gold.pvm`, '--pid', String(demo.pid), '--allow-write', ...policy]);
    expect(gold).toMatchObject({ status: 0, stdout: expect.stringContaining('gold = 9999') });
    expect(await demo.tick()).toContain('gold 9999');
    const fly = pvm(runtime, ['run', `${ROOT}examples/fly.pvm`, '--pid', String(demo.pid), '--allow-write', ...policy]);
    expect(fly.status).toBe(3);
    expect(await demo.tick()).toContain('can fly: no');
  });
});
