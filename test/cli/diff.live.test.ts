// pvm diff on real files: two pvm snapshots of the live fixture taken around
// a known write, the same snapshot twice, a gcore against a pvm snapshot, and
// files that are not cores. The fixture is stopped (SIGSTOP) for the whole
// capture, so the write is the only change.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { startFixture } from '../helpers/fixture.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { kernelCore } from '../helpers/kernel-core.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-diff-'));
const BEFORE = join(dir, 'before.snapshot');
const AFTER = join(dir, 'after.snapshot');
let counter: string;
/** The region of the fixture's executable that holds `counter`, as `pvm maps --json` gives it. */
let region: { start: string; offset: string; path: string };
let gcore: string | undefined;

beforeAll(async () => {
  const fixture = await startFixture();
  try {
    process.kill(fixture.pid, 'SIGSTOP');
    counter = fixture.hex('counter');
    expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', BEFORE])).toMatchObject({ status: 0, stderr: '' });
    expect(pvm('node', ['-e', `write u32 at ${counter} = 42`, '--pid', String(fixture.pid), '--allow-write'])).toMatchObject({ status: 0, stderr: '' });
    expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', AFTER])).toMatchObject({ status: 0, stderr: '' });
    const maps = pvm('node', ['maps', '--snapshot', BEFORE, '--json']).stdout.trim().split('\n').map((line) => JSON.parse(line));
    region = maps.find((r) => BigInt(r.start) <= BigInt(counter) && BigInt(counter) < BigInt(r.end));
    if (hasCommand('gcore')) {
      execFileSync('gcore', ['-o', join(dir, 'gcore'), String(fixture.pid)], { stdio: 'ignore' });
      gcore = join(dir, `gcore.${fixture.pid}`);
    }
  } finally {
    await fixture.stop();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(RUNTIMES)('pvm diff on %s', (runtime) => {
  it('shows exactly the write between two snapshots: its address, module+offset, symbol and bytes (exit 1)', () => {
    const result = pvm(runtime, ['diff', BEFORE, AFTER, '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const diff = JSON.parse(result.stdout);
    expect(diff).toMatchObject({ type: 'diff', differ: true, added: [], removed: [], summary: { changed: 1, added: 0, removed: 0, resized: 0, bytesChanged: 2, bytesNotCompared: 0, rangesOmitted: 0 } });
    expect(diff.regions).toHaveLength(1);
    // 1000 (e8 03 00 00) became 42 (2a 00 00 00): two bytes differ.
    const fileOffset = `0x${(BigInt(region.offset) + BigInt(counter) - BigInt(region.start)).toString(16)}`;
    expect(diff.regions[0].ranges).toEqual([
      { a: counter, b: counter, length: 2, changed: 2, module: region.path, moduleOffset: fileOffset, symbol: 'counter', symbolOffset: 0, bytesA: 'e803', bytesB: '2a00' },
    ]);
    const text = pvm(runtime, ['diff', BEFORE, AFTER]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('they differ: 1 region changed (2 bytes in 1 range), 0 added, 0 removed, 0 resized');
    expect(text.stdout).toContain(`  ${counter}, 2 bytes  target+${fileOffset}  counter\n    A e8 03 `);
    expect(text.stdout).toMatch(/\n {4}B 2a 00 +\*\.\n$/);
  });

  it('finds nothing between a snapshot and itself (exit 0)', () => {
    const result = pvm(runtime, ['diff', BEFORE, BEFORE]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/\nthey are the same: \d+ regions\n {2}[\d.]+ MiB compared, [\d.]+ MiB not read \(holes, one file's bytes on both sides, or left out of both\)/);
  });
});

describe('pvm diff', () => {
  it("compares a gcore with a pvm snapshot of the same stopped process: the snapshot's holes as zeros, gcore's readable guard pages as unreadable ones", (context) => {
    needs(context, gcore !== undefined, 'gcore (gdb) is not installed');
    const result = pvm('node', ['diff', AFTER, gcore!]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('they are the same');
    expect(result.status).toBe(0);
    const json = JSON.parse(pvm('node', ['diff', BEFORE, gcore!, '--json']).stdout);
    expect(json.b.kind).toBe('core');
    expect(json.regions.flatMap((r: { ranges: unknown[] }) => r.ranges)).toMatchObject([{ a: counter, symbol: 'counter', bytesA: 'e803', bytesB: '2a00' }]);
  });

  it("finds the kernel's core the same as a pvm snapshot taken just before the crash: its file pages from the file, its zero pages against the snapshot's holes", async (context) => {
    const snapshot = join(dir, 'before-crash.snapshot');
    const crashed = await kernelCore(dir, undefined, async (fixture) => {
      // Still, for the snapshot and up to the crash.
      await fixture.settled();
      await fixture.stopped();
      expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', snapshot])).toMatchObject({ status: 0, stderr: '' });
      process.kill(fixture.pid, 'SIGCONT');
    });
    needs(context, crashed.core !== undefined, crashed.core === undefined ? crashed.why : '');
    const result = pvm('node', ['diff', snapshot, crashed.core!, '--json']);
    expect(result.stderr).toBe('');
    // What this tests: the core's file pages are read from the file and its zero pages meet the snapshot's holes, so
    // no region is added, removed or resized, and no file-backed byte differs. The fixture waits on its standard
    // input and dies of SIGSEGV (no handler, no signal frame), yet a few bytes of anonymous memory may differ: in
    // some runs under load, 2 bytes near the end of the anonymous mapping beside libc (its TLS and thread block)
    // went from 1 to 0 between the snapshot and the dump (why is not known yet); never more than a word, never in a
    // file's pages.
    const diff = JSON.parse(result.stdout) as { a: { kind: string }; b: { kind: string }; added: unknown[]; removed: unknown[]; summary: { resized: number; bytesChanged: number }; regions: { a: { path: string }; bytesChanged: number }[] };
    expect(diff).toMatchObject({ a: { kind: 'snapshot' }, b: { kind: 'core' }, added: [], removed: [], summary: { resized: 0 } });
    expect(diff.summary.bytesChanged).toBeLessThanOrEqual(8);
    expect(diff.regions.filter((r) => r.bytesChanged > 0 && r.a.path !== '')).toEqual([]);
  });

  it("pairs two runs of one build by file and offset (ASLR): what differs is their pointers, in the module's own variables, named", async (context) => {
    needs(context, readFileSync('/proc/sys/kernel/randomize_va_space', 'utf8').trim() !== '0', 'address space layout randomization is off');
    const files = [join(dir, 'run-1.snapshot'), join(dir, 'run-2.snapshot')];
    const runs = [await startFixture(), await startFixture()];
    try {
      runs.forEach((run, i) => expect(pvm('node', ['snapshot', '--pid', String(run.pid), '-o', files[i]!])).toMatchObject({ status: 0, stderr: '' }));
    } finally {
      for (const run of runs) await run.stop();
    }
    const result = pvm('node', ['diff', files[0]!, files[1]!, '--json']);
    expect(result).toMatchObject({ status: 1, stderr: '' });
    const diff = JSON.parse(result.stdout);
    const ofTarget = (region: { path: string }) => region.path.endsWith('/target');
    expect([...diff.added, ...diff.removed].filter(ofTarget)).toEqual([]);
    const pairs = diff.regions.filter((pair: { a: { path: string } }) => ofTarget(pair.a));
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) expect(pair.moved).toBe(true);
    const ranges = pairs.flatMap((pair: { ranges: unknown[] }) => pair.ranges);
    // outer_value holds &inner_value, and root (right after it) &outer_value: pointers, which ASLR makes differ, in one range; counter is 1000 in both.
    expect(ranges.map((range: { symbol: string | null }) => range.symbol)).toContain('outer_value');
    expect(ranges.map((range: { symbol: string | null }) => range.symbol)).not.toContain('counter');
  });

  it('says which file cannot be read and why, exit 4: a truncated snapshot, a file that is not a core, one that is missing', () => {
    const truncated = join(dir, 'truncated.snapshot');
    writeFileSync(truncated, readFileSync(BEFORE).subarray(0, 64 << 10));
    const cut = pvm('node', ['diff', BEFORE, truncated]);
    expect(cut.status).toBe(4);
    expect(cut.stderr).toMatch(new RegExp(`^pvm: error: B: ${truncated}: .*truncated`));
    expect(cut.stderr).toContain('hint: ');
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'not a core at all, just text\n'.repeat(100));
    const notCore = pvm('node', ['diff', garbage, BEFORE, '--json']);
    expect(notCore.status).toBe(4);
    expect(JSON.parse(notCore.stdout)).toMatchObject({ code: 'diff-input' });
    expect(notCore.stderr).toMatch(new RegExp(`^pvm: error: A: ${garbage}: not an ELF file`));
    const missing = pvm('node', ['diff', join(dir, 'nowhere'), BEFORE]);
    expect(missing.status).toBe(4);
    expect(missing.stderr).toMatch(/^pvm: error: A: cannot open .*nowhere: no such file/);
  });

  it('takes two files and nothing else (exit 2)', () => {
    expect(pvm('node', ['diff', BEFORE])).toMatchObject({ status: 2, stderr: expect.stringContaining('pvm diff needs two files') });
    expect(pvm('node', ['diff', BEFORE, AFTER, 'third'])).toMatchObject({ status: 2, stderr: expect.stringContaining("unexpected argument 'third'") });
    expect(pvm('node', ['diff', BEFORE, AFTER, '--pid', '1'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--pid does not apply to pvm diff') });
  });
});
