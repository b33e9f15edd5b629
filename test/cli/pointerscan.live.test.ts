// Cheat Engine's pointer scan on a live process, on Node, Bun and Deno: the
// fixture's known chains (a static pointer to a heap struct, a two-level
// chain through another), shortest first; the paths saved by one run kept by
// the next run of the program (other addresses); bounds that exclude a path;
// the plan; snapshots; and the errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, fixturesPerTest } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

const fixture = fixturesPerTest();

interface Path {
  readonly base: string;
  readonly offsets: readonly string[];
}

/** `target+0x…`: the fixture's static `name` as a pointer path's base (the module's start is its lowest mapping). */
function baseOf(f: Fixture, name: string): string {
  const start = readFileSync(`/proc/${f.pid}/maps`, 'utf8').split('\n').filter((line) => line.endsWith(FIXTURE_BINARY)).map((line) => BigInt(`0x${line.split('-')[0]}`)).sort((a, b) => (a < b ? -1 : 1))[0]!;
  return `target+0x${(f.at(name) - start).toString(16)}`;
}

/** The run's JSON lines. */
function lines(stdout: string): { type: string; name?: string; value?: unknown; pointers?: { count: number; mapBytes: number; levels: number[]; cut: boolean } }[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}

const SCAN = 'param health: ptr\nemit paths = pointerscan to health depth 2 offset 0x100';
const scratch = () => mkdtempSync(join(tmpdir(), 'pvm-pointerscan-'));

describe.each(RUNTIMES)('pointerscan on %s', (runtime) => {
  it('finds the static pointer to the heap struct and the two-level chain, shortest first', async () => {
    const f = await fixture();
    const result = pvm(runtime, ['-e', SCAN, '--pid', String(f.pid), '--arg', `health=${f.hex('health')}`, '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = lines(result.stdout);
    const paths = out.find((line) => line.type === 'emit')!.value as Path[];
    expect(paths).toContainEqual({ base: baseOf(f, 'current_player'), offsets: ['0x10'] });
    expect(paths).toContainEqual({ base: baseOf(f, 'game_state'), offsets: ['0x18', '0x10'] });
    const depths = paths.map((p) => p.offsets.length);
    expect(depths).toEqual([...depths].sort());
    const scan = out.find((line) => line.type === 'scan')!;
    expect(scan.pointers).toMatchObject({ levels: [expect.any(Number), expect.any(Number)], cut: false });
    expect(scan.pointers!.count).toBeGreaterThan(0);
  });

  it('prints each path as the recipe expression that follows it', async () => {
    const f = await fixture();
    const result = pvm(runtime, ['-e', `${SCAN} limit 1000`, '--pid', String(f.pid), '--arg', `health=${f.hex('health')}`]);
    expect(result.status).toBe(0);
    const [, offset] = baseOf(f, 'game_state').split('+');
    expect(result.stdout).toContain(`[[module("target") + ${offset}] + 0x18] + 0x10`);
    // The expression printed reads where the path leads.
    const follow = pvm(runtime, ['-e', `print [[module("target") + ${offset}] + 0x18] + 0x10 == ${f.hex('health')}`, '--pid', String(f.pid)]);
    expect(follow).toMatchObject({ status: 0, stdout: 'true\n' });
  });

  it('keeps the saved paths that still lead to the value after the program restarts, by address and by value', async () => {
    const first = await fixture();
    const saved = pvm(runtime, ['-e', SCAN, '--pid', String(first.pid), '--arg', `health=${first.hex('health')}`, '--json']);
    const found = lines(saved.stdout).find((line) => line.type === 'emit')!.value as Path[];
    const wanted = [{ base: baseOf(first, 'current_player'), offsets: ['0x10'] }, { base: baseOf(first, 'game_state'), offsets: ['0x18', '0x10'] }];
    // Three that lead nowhere now: a static word that is not a pointer, and two from a module the program does not map.
    const file = join(scratch(), 'paths.json');
    const nowhere = [{ base: 'target+0x8', offsets: ['0x10'] }, { base: 'libnothere.so+0x40', offsets: ['0x0'] }, { base: 'libnothere.so+0x48', offsets: ['0x8', '0x0'] }];
    writeFileSync(file, JSON.stringify([...wanted, ...nowhere]));
    await first.stop();
    const second = await fixture();
    expect(second.at('health')).not.toBe(first.at('health'));
    const recheck = 'param paths: paths\nparam health: ptr\nemit kept = narrow paths to health\nemit healthy = narrow paths u32 == 100';
    const result = pvm(runtime, ['-e', recheck, '--pid', String(second.pid), '--arg', `paths=@${file}`, '--arg', `health=${second.hex('health')}`, '--json']);
    expect(result.stderr).toBe('');
    const emits = lines(result.stdout).filter((line) => line.type === 'emit');
    expect(emits.map((e) => [e.name, e.value])).toEqual([['kept', wanted], ['healthy', wanted]]);
    // And the whole saved list (the --json output of the first run) loads as it is.
    const savedFile = join(scratch(), 'saved.jsonl');
    writeFileSync(savedFile, saved.stdout);
    const all = pvm(runtime, ['-e', 'param paths: paths\nparam health: ptr\nprint len(narrow paths to health) >= 2, len(paths)', '--pid', String(second.pid), '--arg', `paths=@${savedFile}`, '--arg', `health=${second.hex('health')}`]);
    expect(all).toMatchObject({ status: 0, stdout: `true ${found.length}\n` });
  });

  it("with stacks, starts paths at the top of the main thread's stack too, and they hold after a restart", async () => {
    const first = await fixture();
    // The fixture's main() keeps the player in a local: [[symbol("__libc_stack_end")] - N] + 0x10.
    const recipe = 'param health: ptr\nemit paths = pointerscan to health depth 1 offset 0x100 stacks';
    const result = pvm(runtime, ['-e', recipe, '--pid', String(first.pid), '--arg', `health=${first.hex('health')}`, '--json']);
    expect(result.stderr).toBe('');
    const paths = lines(result.stdout).find((line) => line.type === 'emit')!.value as Path[];
    const local = paths.find((p) => p.base.startsWith('threadstack0-'))!;
    expect(local.offsets).toEqual(['0x10']);
    const file = join(scratch(), 'paths.jsonl');
    writeFileSync(file, result.stdout);
    await first.stop();
    const second = await fixture();
    const kept = pvm(runtime, ['-e', 'param paths: paths\nparam health: ptr\nemit kept = narrow paths to health', '--pid', String(second.pid), '--arg', `paths=@${file}`, '--arg', `health=${second.hex('health')}`]);
    expect(kept.stderr).toBe('');
    expect(kept.stdout).toContain(`[[symbol("__libc_stack_end")] - ${local.base.slice('threadstack0-'.length)}] + 0x10`);
  });

  it('finds nothing where the depth or the offset bound excludes the paths', async () => {
    const f = await fixture();
    const run = (depth: number, offset: string) => {
      const result = pvm(runtime, ['-e', `param health: ptr\nemit paths = pointerscan to health depth ${depth} offset ${offset}`, '--pid', String(f.pid), '--arg', `health=${f.hex('health')}`, '--json']);
      expect(result.status).toBe(0);
      return lines(result.stdout).find((line) => line.type === 'emit')!.value as Path[];
    };
    // Every way to the health field ends 0x10 past the struct's start.
    expect(run(2, '0xf')).toEqual([]);
    // One level: the static pointer, not the chain through the game.
    const shallow = run(1, '0x100');
    expect(shallow).toContainEqual({ base: baseOf(f, 'current_player'), offsets: ['0x10'] });
    expect(shallow.every((p) => p.offsets.length === 1)).toBe(true);
    // Bases in one module only.
    const result = pvm(runtime, ['-e', `param health: ptr\nemit paths = pointerscan to health depth 2 offset 0x100 in module("libc.so.6")`, '--pid', String(f.pid), '--arg', `health=${f.hex('health')}`, '--json']);
    expect(result.status).toBe(0);
    const inLibc = lines(result.stdout).find((line) => line.type === 'emit')!.value as Path[];
    expect(inLibc.length).toBeGreaterThan(0); // glibc's malloc state points into the heap
    expect(inLibc.every((p) => p.base.startsWith('libc.so.6+'))).toBe(true);
    expect(inLibc).not.toContainEqual({ base: baseOf(f, 'current_player'), offsets: ['0x10'] });
    // An offset bound below 0x18 leaves the chain out.
    expect(run(2, '0x17')).not.toContainEqual({ base: baseOf(f, 'game_state'), offsets: ['0x18', '0x10'] });
  });

  it('finds the same paths with a worker thread on the other core as on one thread', async () => {
    // Past 128 MiB, as a large scan, the memory is shared with a worker, which fills a map of its own from the end.
    const f = await fixture(['--bulk-mib', '160']);
    const args = ['-e', SCAN, '--pid', String(f.pid), '--arg', `health=${f.hex('health')}`, '--json'];
    const shared = pvm(runtime, args, { env: { PVM_SCAN_WORKERS: 'wait', PVM_SCAN_DEBUG: '1' } });
    const alone = pvm(runtime, args, { env: { PVM_SCAN_WORKERS: '0' } });
    expect(shared.status).toBe(0);
    expect(Number(/worker took (\d+) of/.exec(shared.stderr)?.[1])).toBeGreaterThan(0);
    const emitted = (stdout: string) => lines(stdout).filter((line) => line.type !== 'scan');
    const scanned = (stdout: string) => lines(stdout).find((line) => line.type === 'scan')!.pointers;
    expect(emitted(shared.stdout)).toEqual(emitted(alone.stdout));
    expect(scanned(shared.stdout)).toEqual(scanned(alone.stdout));
  });

  it('refuses a bad bound, a loop over paths, and paths given inline, each with its place and a fix (exit 2)', async () => {
    const f = await fixture();
    const dir = scratch();
    const recipe = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const bound = pvm(runtime, ['check', recipe('bound.pvm', 'let p = pointerscan to 0x1000 depth 0 offset 0x100')]);
    expect(bound.status).toBe(2);
    expect(bound.stderr).toMatch(/bound\.pvm:1:37: .*depth must be from 1 to 8, not 0/);
    const missing = pvm(runtime, ['check', recipe('missing.pvm', 'let p = pointerscan to 0x1000 limit 10 offset 0x100')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing\.pvm:1:9: .*a pointerscan needs a depth/);
    expect(pvm(runtime, ['check', recipe('order.pvm', 'let p = pointerscan to 0x1000 offset 0x100 stacks depth 3')]).status).toBe(0);
    const atRun = pvm(runtime, ['-e', 'param d: u32\nlet p = pointerscan to 0x1000 depth d offset 0x100', '--pid', String(f.pid), '--arg', 'd=9']);
    expect(atRun.status).toBe(2);
    expect(atRun.stderr).toContain('depth must be from 1 to 8, not 9');
    const loop = pvm(runtime, ['check', recipe('loop.pvm', 'let p = pointerscan to 0x1000 depth 2 offset 0x100\nfor x in p { print x }')]);
    expect(loop.status).toBe(2);
    expect(loop.stderr).toContain('a for loop goes over a list or a range A..B, not a list of pointer paths');
    expect(loop.stderr).toContain('narrow paths to ADDR');
    const unmapped = pvm(runtime, ['-e', 'emit p = pointerscan to 0x10 depth 2 offset 0x100', '--pid', String(f.pid)]);
    expect(unmapped.status).toBe(4);
    expect(unmapped.stderr).toContain(`pointerscan to 0x10: 0x10 is not mapped in pid ${f.pid}`);
    const inline = pvm(runtime, ['-e', 'param paths: paths\nprint len(paths)', '--pid', String(f.pid), '--arg', 'paths=0x10']);
    expect(inline.status).toBe(2);
    expect(inline.stderr).toContain('pointer paths come from a file');
    const file = join(scratch(), 'bad.json');
    writeFileSync(file, JSON.stringify([{ base: 'target', offsets: [] }]));
    const bad = pvm(runtime, ['-e', 'param paths: paths\nprint len(paths)', '--pid', String(f.pid), '--arg', `paths=@${file}`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('item 0 ({"base":"target","offsets":[]}): its base "target" is neither MODULE+OFFSET ("app+0x4040") nor threadstackN-OFFSET');
  });
});

it('shows the pointer scan in the plan', () => {
  const recipe = join(scratch(), 'plan.pvm');
  writeFileSync(recipe, 'param health: ptr\nlet paths = pointerscan to health depth 3 offset 0x100 limit 10\n');
  const result = pvm('node', ['plan', recipe]);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('let paths = (pointerscan to health depth 3 offset 0x100 limit 10)');
  expect(result.stdout).toContain('pointer scan: read the rw regions and relro in 1 MiB chunks');
});

it('finds the same paths in a snapshot as in the live process', async () => {
  const f = await fixture();
  const snapshot = join(scratch(), 'fixture.core');
  expect(pvm('node', ['snapshot', '--pid', String(f.pid), '-o', snapshot]).status).toBe(0);
  const args = ['-e', SCAN, '--arg', `health=${f.hex('health')}`, '--json'];
  const live = pvm('node', [...args, '--pid', String(f.pid)]);
  const saved = pvm('node', [...args, '--snapshot', snapshot]);
  expect(saved.status).toBe(0);
  const emitted = (stdout: string) => lines(stdout).find((line) => line.type === 'emit')!.value;
  expect(emitted(saved.stdout)).toEqual(emitted(live.stdout));
});

it('keeps to the policy: more paths than scan.maxHits is refused (exit 3)', async () => {
  const f = await fixture();
  const policy = join(scratch(), 'policy.json');
  writeFileSync(policy, JSON.stringify({ scan: { maxHits: 1 } }));
  const result = pvm('node', ['-e', SCAN, '--pid', String(f.pid), '--arg', `health=${f.hex('health')}`, '--policy', policy]);
  expect(result.status).toBe(3);
  expect(result.stderr).toContain('the pointer scan found more than 1 paths');
});
