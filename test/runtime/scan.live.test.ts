// A scan of a live process: a region unmapped in the middle of it is reported
// and the scan goes on, it does not fail; the pages that hold data are found
// as pagemap finds them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Pagemap } from '../../src/native/pagemap.ts';
import { parseSmaps } from '../../src/native/smaps.ts';
import { readSmapsAhead } from '../../src/target/smaps-ahead.ts';
import { literalPattern } from '../../src/plan/pattern.ts';
import { scanTarget } from '../../src/runtime/scans/scan.ts';
import { LiveProcess } from '../../src/target/live-process.ts';
import { sourceOf } from '../../src/target/reads.ts';
import type { MemorySource } from '../../src/target/target.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

it('reports a region unmapped after the scan planned it, and finds what is elsewhere', async () => {
  const live = await LiveProcess.open(fixture.pid);
  const doomed = fixture.at('doomed');
  const mapped = () => readFileSync(`/proc/${fixture.pid}/maps`, 'utf8').includes(`${doomed.toString(16)}-`);
  let unmapped = false;
  // The first read of the scan has the fixture unmap `doomed` (a line on its
  // stdin), and waits until the maps no longer show it.
  const target: MemorySource = sourceOf({
    identity: live.identity,
    regions: () => live.regions(),
    readv: (batch) => {
      if (batch.scan !== undefined && !unmapped) {
        unmapped = true;
        fixture.child.stdin!.write('u\n');
        const deadline = Date.now() + 5000;
        while (mapped() && Date.now() < deadline);
      }
      live.readv(batch);
    },
    blocked: () => live.blocked(),
    forms: live.forms,
    scanSession: () => live.scanSession(),
    threads: () => live.threads(),
    moduleFile: (path) => live.moduleFile(path),
    close: () => live.close(),
  });
  expect(mapped()).toBe(true);
  const outcome = scanTarget(target, { pattern: literalPattern(new TextEncoder().encode('PVM-BENCH-HIT')), area: { kind: 'anon' }, perms: undefined, align: 1, limit: 100 });
  expect(mapped()).toBe(false);
  const page = BigInt(fixture.pageSize);
  const sparse = fixture.at('sparse');
  expect(outcome.hits).toEqual([sparse + 100n * page + 40n, sparse + 9000n * page + 80n]);
  expect(outcome.skipped).toContainEqual({ start: doomed, end: doomed + (4n << 20n), reason: 'unreadable now (unmapped or changed during the scan)' });
  target.close();
});

it('finds the pages that hold data as pagemap does, reading pagemap only for mappings with untouched pages', async () => {
  const live = await LiveProcess.open(fixture.pid);
  const access = live.openScan();
  const smaps = parseSmaps(readFileSync(`/proc/${fixture.pid}/smaps`, 'latin1'));
  const pagemap = new Pagemap(fixture.pid, fixture.pageSize);
  try {
    // Most of the fixture's mappings are whole (code, data it wrote); `sparse` has two pages of 16384 touched.
    expect(smaps.held.size).toBeGreaterThan(3);
    const sparse = fixture.at('sparse');
    expect(smaps.held.has(sparse)).toBe(false);
    const page = BigInt(fixture.pageSize);
    expect(access.residentRuns(sparse, sparse + (64n << 20n))).toEqual([
      { start: sparse + 100n * page, end: sparse + 101n * page },
      { start: sparse + 9000n * page, end: sparse + 9001n * page },
    ]);
    // Mapping by mapping, the runs (whole mappings straight from smaps) are pagemap's; the stack and [vvar] may change between.
    const steady = access.regions.filter((r) => r.path !== '[stack]' && !r.path.startsWith('[v') && r.perms.startsWith('r'));
    for (const region of steady) expect(access.residentRuns(region.start, region.end), region.path).toEqual(pagemap.residentRuns(region.start, region.end));
  } finally {
    pagemap.close();
    access.close();
    live.close();
  }
});

it('plans the first scan from smaps read ahead only while /proc/PID/maps still lists the same mappings', async () => {
  const own = await startFixture(); // its own: this test unmaps a region
  try {
    const ahead = (await readSmapsAhead(own.pid))!;
    // Stamped now: the open and the scan follow at once (libc is loaded already), well within SMAPS_AHEAD_MS.
    const same = await LiveProcess.open(own.pid, { smaps: Promise.resolve({ ...ahead, startedAt: performance.now() }) });
    const planned = same.openScan();
    expect(planned.parallel?.smapsText).toBe(ahead.text); // the very text read ahead
    planned.close();
    // The fixture unmaps `doomed` (a line on its stdin) after smaps was read ahead: the scan reads smaps again.
    const later = await LiveProcess.open(own.pid, { smaps: Promise.resolve({ ...ahead, startedAt: performance.now() }) });
    const doomed = own.at('doomed');
    own.child.stdin!.write('u\n');
    const deadline = Date.now() + 5000;
    while (readFileSync(`/proc/${own.pid}/maps`, 'utf8').includes(`${doomed.toString(16)}-`) && Date.now() < deadline);
    const replanned = later.openScan();
    expect(replanned.parallel?.smapsText).not.toBe(ahead.text);
    expect(replanned.regions.some((r) => r.start === doomed)).toBe(false);
    replanned.close();
    for (const live of [same, later]) live.close();
  } finally {
    own.stop();
  }
});
