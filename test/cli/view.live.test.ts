// pvm view (docs/forensics.md): the page drawn from a report of the live
// fixture, a report made on its snapshot, and the snapshot itself, opened in
// a real browser (Debian's chromium, headless, driven by puppeteer-core):
// the fixture's executable is a region named `target`, the write and the
// scan's hit are marked at their addresses, the events and the digests are
// there, and the diff of snapshots taken before and after the write marks
// what it changed. The same page, byte for byte, on Node, Bun and Deno.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { hasCommand, IS_ROOT, needs } from '../helpers/needs.ts';

const LIVE_RECIPE = `let c = symbol("target", "counter")
emit before = read u32 at c
write u32 at c = 4321
`;
const SNAPSHOT_RECIPE = `emit hits = scan "PVM-UNIQUE-91" in all
dump symbol("target", "counter"), 8
`;

let fixture: Fixture;
let dir: string;
let liveReport: string;
/** Snapshots of the fixture before the live run's write, and after it. */
let before: string;
let snapshot: string;
let snapshotReport: string;
let page: string;

beforeAll(async () => {
  fixture = await startFixture();
  // Still, from the first snapshot to the live run, so that its map is the run's (the page draws the run on it).
  await fixture.settled();
  dir = mkdtempSync(join(tmpdir(), 'pvm-view-'));
  const recipe = join(dir, 'write.pvm');
  writeFileSync(recipe, LIVE_RECIPE);
  before = join(dir, 'before.snapshot');
  expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', before]).status).toBe(0);
  liveReport = join(dir, 'live.json');
  expect(pvm('node', ['run', recipe, '--pid', String(fixture.pid), '--allow-write', '--report', liveReport]).status).toBe(0);
  snapshot = join(dir, 'after.snapshot');
  expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', snapshot]).status).toBe(0);
  snapshotReport = join(dir, 'snapshot.json');
  expect(pvm('node', ['-e', SNAPSHOT_RECIPE, '--snapshot', snapshot, '--report', snapshotReport]).status).toBe(0);
  page = join(dir, 'view.html');
});
afterAll(() => fixture.stop());

/** The address the scan found, as the report has it. */
function scanHit(): string {
  const events = JSON.parse(readFileSync(snapshotReport, 'utf8')).results.events as { type: string; name?: string; value?: string[] }[];
  return events.find((e) => e.type === 'emit' && e.name === 'hits')!.value![0]!;
}

describe.each(RUNTIMES)('pvm view on %s', (runtime) => {
  it('writes one page of the two reports and the two snapshots; the same bytes on every runtime', () => {
    const out = join(dir, `view-${runtime}.html`);
    const result = pvm(runtime, ['view', liveReport, snapshotReport, before, snapshot, '-o', out]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^${out}: ${liveReport} \\(report\\), ${snapshotReport} \\(report\\), ${before} \\(snapshot\\), ${snapshot} \\(snapshot\\); [0-9.]+ KiB\\n$`));
    if (runtime === 'node') writeFileSync(page, readFileSync(out));
    else expect(readFileSync(out, 'utf8')).toBe(readFileSync(page, 'utf8'));
  });
});

describe('the page', () => {
  it('is self-contained and small: nothing fetched, regions drawn rather than bytes', () => {
    const html = readFileSync(page, 'utf8');
    expect(statSync(page).size).toBeLessThan(2 << 20);
    expect(html).toMatch(/content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+\/]+={0,2}'"/);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  describe('in Chromium', () => {
    let browser: Browser | undefined;
    let tab: Page;
    const open = async (context: TestContext): Promise<Page> => {
      needs(context, hasCommand('chromium'), 'needs chromium (apt install chromium)');
      if (browser === undefined) {
        browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: IS_ROOT ? ['--no-sandbox'] : [] });
        tab = await browser.newPage();
        await tab.setViewport({ width: 1000, height: 900 });
        await tab.goto(`file://${page}`);
      }
      return tab;
    };
    afterAll(async () => {
      await browser?.close();
    });

    it("draws the snapshot's map: the fixture's executable as regions named target, its code r-x", async (context) => {
      const tab = await open(context);
      const regions = await tab.$$eval('#input-3 .region', (gs) => gs.map((g) => ({ name: g.getAttribute('data-name'), perms: g.getAttribute('data-perms'), text: g.textContent })));
      const target = regions.filter((r) => r.name === 'target');
      expect(target.length).toBeGreaterThanOrEqual(3);
      expect(target.map((r) => r.perms)).toContain('r-xp');
      expect(regions.map((r) => r.name)).toEqual(expect.arrayContaining(['[heap]', '[stack]', 'libc.so.6']));
      await tab.screenshot({ path: join(dir, 'view.png'), fullPage: true }); // to look at: the page as Chromium draws it
    });

    it("marks the live run's write at the counter, and the scan's hit inside the region that holds it", async (context) => {
      const tab = await open(context);
      const counter = fixture.hex('counter');
      const write = await tab.$$eval(`#input-0 .mark.mark-write[data-address="${counter}"]`, (marks) => marks.map((m) => m.getAttribute('data-tip')));
      expect(write).toEqual([`write 4 bytes (line 3) at ${counter}`]);
      const hit = scanHit();
      // The report on the snapshot draws the snapshot's map (it names that file): the hit lies on the bar of its region.
      const placed = (await tab.evaluate(`(() => {
        const address = ${JSON.stringify(hit)};
        const y = Number(document.querySelector('#input-1 .mark.mark-found[data-address="' + address + '"] line').getAttribute('y1'));
        const at = BigInt(address);
        const region = [...document.querySelectorAll('#input-1 .region')].find((g) => BigInt(g.getAttribute('data-start')) <= at && at < BigInt(g.getAttribute('data-end')));
        const bar = region.querySelector('rect');
        const label = document.querySelector('#input-1 .mark-label[data-address="' + address + '"] text');
        return { y, top: Number(bar.getAttribute('y')), bottom: Number(bar.getAttribute('y')) + Number(bar.getAttribute('height')), label: label && label.textContent };
      })()`)) as { y: number; top: number; bottom: number; label: string | null };
      expect(placed.y).toBeGreaterThanOrEqual(placed.top);
      expect(placed.y).toBeLessThanOrEqual(placed.bottom);
      expect(placed.label).toBe(`emit hits[0] (line 1) at ${hit}`);
    });

    it("draws the live run's report on the map of a snapshot beside it with the same map", async (context) => {
      const tab = await open(context);
      expect(await tab.$eval('#input-0 .map-note', (p) => p.textContent)).toBe(`the map of ${before}, given beside it (its map's sha256 is the one the report records)`);
      expect(await tab.$$eval('#input-0 .region[data-name="target"]', (gs) => gs.length)).toBeGreaterThanOrEqual(3);
    });

    it('diffs the two snapshots: the write marked on both maps, and listed with its module, offset and symbol', async (context) => {
      const tab = await open(context);
      const counter = fixture.hex('counter');
      for (const side of ['#input-2', '#input-3']) expect(await tab.$$eval(`${side} .mark.mark-changed[data-address="${counter}"]`, (marks) => marks.length)).toBe(1);
      // The write's region at least (the fixture's stack may have moved too, if it had not yet reached read(2) at the first snapshot).
      expect(await tab.$eval('#diff .diff-summary', (p) => p.textContent)).toMatch(/^they differ: \d+ regions? changed \(\d+ bytes?\), 0 added, 0 removed, 0 resized; \d+ the same$/);
      const row = await tab.$eval(`#diff tr.change[data-address="${counter}"]`, (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
      expect(row[1]).toBe('2');
      expect(row[2]).toMatch(/^target\+0x[0-9a-f]+ counter$/);
      expect(row[3]).toBe('A e8 03B e1 10');
    });

    it('lists the events of each run, and the digests: recipe, maps, reads and snapshot', async (context) => {
      const tab = await open(context);
      const events = await tab.$$eval('#input-0 table.events tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
      expect(events).toEqual([
        ['0', '2', 'emit', 'before = 1000'],
        ['1', '3', 'write', `at ${fixture.hex('counter')}: e8030000 → e1100000`],
      ]);
      const report = JSON.parse(readFileSync(snapshotReport, 'utf8')).results;
      const digests = Object.fromEntries(await tab.$$eval('#input-1 table.digests tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent])));
      expect(digests).toMatchObject({ recipe: report.recipe.sha256, maps: report.target.mapsSha256, [`core (${snapshot})`]: report.target.core.sha256 });
      const snapshotDigests = Object.fromEntries(await tab.$$eval('#input-3 table.digests tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent])));
      expect(snapshotDigests).toEqual({ maps: report.target.mapsSha256, snapshot: createHash('sha256').update(readFileSync(snapshot)).digest('hex') });
      const live = JSON.parse(readFileSync(liveReport, 'utf8')).results;
      const liveDigests = await tab.$$eval('#input-0 table.digests tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
      expect(liveDigests).toContainEqual([`reads[0] 4 bytes at ${fixture.hex('counter')}`, live.reads[0].sha256]);
      const identity = await tab.$$eval('#input-3 table.identity tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
      expect(identity).toContainEqual(['pid', String(fixture.pid)]);
    });

    it('shows details of a region on hover', async (context) => {
      const tab = await open(context);
      await tab.hover('#input-3 .region[data-name="[heap]"] rect');
      const tip = await tab.$eval('#tip', (t) => ({ hidden: t.hasAttribute('hidden'), text: t.textContent }));
      expect(tip.hidden).toBe(false);
      expect(tip.text).toMatch(/^0x[0-9a-f]+–0x[0-9a-f]+\nrw-p {2}offset 0x0 {2}[0-9.]+ KiB\n\[heap\]$/);
    });
  });
});

describe('pvm view of more than two captures', () => {
  it('draws each and says they are not diffed', () => {
    const three = join(dir, 'three.html');
    expect(pvm('node', ['view', before, snapshot, before, '-o', three]).status).toBe(0);
    expect(readFileSync(three, 'utf8')).toContain('3 captures, not diffed: pvm view diffs two (pvm diff A B diffs any pair)');
  });
});

describe('pvm view of a core gdb wrote', () => {
  it("draws its map, rebuilt from the core's segments and the files it names", (context) => {
    needs(context, hasCommand('gcore'), 'needs gdb (apt install gdb) for gcore');
    const prefix = join(dir, 'gcore');
    execFileSync('gcore', ['-o', prefix, String(fixture.pid)], { stdio: 'ignore' });
    const core = `${prefix}.${fixture.pid}`;
    const out = join(dir, 'gcore.html');
    expect(pvm('node', ['view', core, '-o', out])).toMatchObject({ status: 0, stdout: expect.stringContaining(`${core} (core)`) });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('the map rebuilt from the core');
    expect(html).toMatch(/<g class="region" data-start="0x[0-9a-f]+" data-end="0x[0-9a-f]+" data-perms="r-xp" data-name="target">/);
    expect(html).toMatch(/data-perms="r-xp" data-name="libc\.so\.6"/);
  });
});

describe('pvm view refuses, naming the file and why', () => {
  it('an input it cannot read, or that is neither a core nor a report (exit 2)', () => {
    const missing = join(dir, 'missing.json');
    expect(pvm('node', ['view', missing, '-o', join(dir, 'x.html')])).toMatchObject({ status: 2, stdout: '', stderr: expect.stringContaining(`pvm: error: cannot view ${missing}: no such file\n`) });
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a report');
    expect(pvm('node', ['view', text, '-o', join(dir, 'x.html')]).stderr).toContain(`pvm: error: cannot view ${text}: it is neither an ELF core nor JSON`);
  });

  it('a page it cannot write (exit 2), before reading anything', () => {
    const out = join(dir, 'no-such-directory', 'view.html');
    expect(pvm('node', ['view', join(dir, 'missing.json'), '-o', out])).toMatchObject({ status: 2, stdout: '', stderr: expect.stringContaining(`pvm: error: cannot write the page ${out}: its directory does not exist\n`) });
    const directory = join(dir, 'a-directory.html');
    mkdirSync(directory);
    expect(pvm('node', ['view', liveReport, '-o', directory])).toMatchObject({ status: 2, stderr: expect.stringContaining(`pvm: error: cannot write the page ${directory}: it is a directory, not a regular file\n`) });
    expect(pvm('node', ['view', liveReport]).stderr).toContain('pvm view needs an output file: -o FILE.html');
  });
});
