// pvm view's page, from data alone: the folded axis, the marks a report's
// events give, and a page that escapes whatever an input holds.
import { describe, expect, it } from 'vitest';
import { type DiffDocument, withDiff } from '../../src/view/diff-view.ts';
import { foldedRows, markY, pagesOfMarks, regionHeight } from '../../src/view/folded-axis.ts';
import { eventMarks, eventRows, MAX_EVENT_ROWS, MAX_MARKS } from '../../src/view/report-events.ts';
import { renderPage } from '../../src/view/render-page.ts';
import type { ViewInput, ViewRegion } from '../../src/view/view-model.ts';

const region = (start: bigint, end: bigint, perms = 'rw-p', path = ''): ViewRegion => ({ start, end, perms, offset: 0n, path, deleted: false });

describe('the folded axis', () => {
  it('grows a row with the log of its size, within bounds', () => {
    expect(regionHeight(0x1000n)).toBe(18);
    expect(regionHeight(0x2000n)).toBe(21);
    expect(regionHeight(1n << 20n)).toBe(42);
    expect(regionHeight(1n << 30n)).toBe(72);
    expect(regionHeight(1n << 46n)).toBe(84);
  });

  it('folds each gap to one thin row, however large, and places an address within its region', () => {
    const rows = foldedRows([region(0x1000n, 0x3000n), region(0x3000n, 0x4000n), region(0x7fff_0000_0000n, 0x7fff_0000_1000n)]);
    expect(rows.map((r) => [r.kind, r.y, r.height])).toEqual([['region', 0, 21], ['region', 21, 18], ['gap', 39, 14], ['region', 53, 18]]);
    expect(rows[2]).toMatchObject({ start: 0x4000n, end: 0x7fff_0000_0000n });
    expect(markY(rows, { address: 0x2000n })).toBe(10.5);
    expect(markY(rows, { address: 0x7fff_0000_0800n })).toBe(62);
    expect(markY(rows, { address: 0x5000n })).toBeUndefined(); // in the gap
  });

  it("draws a report's pages when it has no map: those its marks fall in, joined where they touch", () => {
    const pages = pagesOfMarks([{ kind: 'write', address: 0x1ffen, length: 4, label: '' }, { kind: 'read', address: 0x2100n, length: 8, label: '' }, { kind: 'found', address: 0x9000n, length: 1, label: '' }]);
    expect(pages.map((p) => [p.start, p.end, p.guessed])).toEqual([[0x1000n, 0x3000n, true], [0x9000n, 0xa000n, true]]);
  });
});

describe("a report's events", () => {
  const events = [
    { type: 'emit', name: 'hits', value: ['0x7f0000000100', '0x7f0000000200'], line: 1 },
    { type: 'emit', name: 'count', value: 2, line: 2 },
    { type: 'write', address: '0x5000', before: '00000000', after: '07000000', line: 3 },
    { type: 'patch', name: 'fly', status: 'applied', sites: [{ address: '0x6000', before: '7405', after: '9090' }], stoppedThreads: 1, line: 4 },
    { type: 'dump', address: '0x5000', size: 16, bytes: '00', sha256: 'ab', line: 5 },
    { type: 'print', values: ['at', '0x8000'], line: 6 },
  ];

  it('mark what was written, patched, dumped, read, and each address emitted or printed', () => {
    const marks = eventMarks(events, [{ address: '0x5000', length: 4, sha256: 'cd' }]);
    expect(marks.map((m) => [m.kind, m.address, m.length, m.label])).toEqual([
      ['found', 0x7f0000000100n, 1, 'emit hits[0] (line 1) at 0x7f0000000100'],
      ['found', 0x7f0000000200n, 1, 'emit hits[1] (line 1) at 0x7f0000000200'],
      ['write', 0x5000n, 4, 'write 4 bytes (line 3) at 0x5000'],
      ['patch', 0x6000n, 2, 'patch fly applied: 2 bytes (line 4) at 0x6000'],
      ['dump', 0x5000n, 16, 'dump 16 bytes (line 5) at 0x5000'],
      ['found', 0x8000n, 1, 'print[1] (line 6) at 0x8000'],
      ['read', 0x5000n, 4, 'read 4 bytes (reads[0]) at 0x5000'],
    ]);
  });

  it('give a row each, as a reader names them, at most MAX_EVENT_ROWS; and at most MAX_MARKS marks', () => {
    expect(eventRows(events).map((r) => `${r.type} ${r.line}: ${r.text}`)).toEqual([
      'emit 1: hits = ["0x7f0000000100","0x7f0000000200"]',
      'emit 2: count = 2',
      'write 3: at 0x5000: 00000000 → 07000000',
      'patch 4: "fly" applied: 0x6000 7405 → 9090',
      'dump 5: 16 bytes at 0x5000: 00 (sha256 ab)',
      'print 6: at 0x8000',
    ]);
    const many = Array.from({ length: MAX_EVENT_ROWS + 10 }, (_, i) => ({ type: 'emit', name: 'p', value: `0x${(0x1000 + i).toString(16)}`, line: 1 }));
    expect(eventRows(many)).toHaveLength(MAX_EVENT_ROWS);
    const hits = [{ type: 'emit', name: 'hits', value: Array.from({ length: MAX_MARKS + 5 }, (_, i) => `0x${(0x1000 + i).toString(16)}`), line: 1 }];
    expect(eventMarks(hits, [])).toHaveLength(MAX_MARKS);
  });
});

describe('the page', () => {
  const hostile: ViewInput = {
    file: '<img src=x onerror=alert(1)>.json',
    kind: 'report',
    title: '"><script>alert(2)</script>',
    identity: [['exe', '</table><script>alert(3)</script>']],
    regions: [region(0x1000n, 0x2000n, 'r-xp', '/tmp/<b>evil</b>.so')],
    mapNote: "it's <here>",
    marks: [{ kind: 'write', address: 0x1100n, length: 1, label: 'write <1> byte' }],
    modules: [{ path: '/x/"quoted".so', buildId: null }],
    events: [{ type: '<t>', line: 1, text: '<script>alert(4)</script>' }],
    eventsTotal: 1,
    digests: [['recipe', 'ab<cd']],
  };

  it('escapes everything an input holds: no markup of its own gets in', () => {
    const html = renderPage([hostile], undefined);
    expect(html.match(/<script>/g)).toHaveLength(1); // the page's own
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>evil');
    expect(html).toContain('&#60;script&#62;alert(4)&#60;/script&#62;');
    expect(html).toContain('/tmp/&#60;b&#62;evil&#60;/b&#62;.so');
  });

  it('fetches nothing: no external script, style, font or image, and a policy that forbids them', () => {
    const html = renderPage([hostile], 'a note');
    // The page's one script runs by its hash: nothing else inline would.
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+\/]+={0,2}'">/);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/url\((?!#)/);
    expect(html).not.toMatch(/@import/);
  });
});

describe('two captures, diffed', () => {
  const capture = (file: string, regions: ViewRegion[]): ViewInput => ({ file, kind: 'snapshot', title: '', identity: [], regions, mapNote: '', marks: [], modules: [], events: [], eventsTotal: 0, digests: [] });
  const r = (start: number, end: number, path = '') => ({ start: `0x${start.toString(16)}`, end: `0x${end.toString(16)}`, perms: 'rw-p', path });
  const diff: DiffDocument = {
    differ: true,
    summary: { same: 0, changed: 1, added: 1, removed: 1, resized: 0, bytesChanged: 2, bytesCompared: 4096, bytesNotRead: 0, bytesNotCompared: 0, rangesOmitted: 0 },
    added: [r(0x9000, 0xa000)],
    removed: [r(0x5000, 0x6000)],
    regions: [{
      a: r(0x1000, 0x2000, '/bin/app'),
      b: r(0x1000, 0x2000, '/bin/app'),
      resized: false,
      permsChanged: false,
      bytesChanged: 2,
      rangesOmitted: 0,
      ranges: [{ a: '0x1100', b: '0x1100', length: 2, changed: 2, module: '/bin/app', moduleOffset: '0x100', symbol: 'counter', symbolOffset: 0, bytesA: 'e803', bytesB: 'e110' }],
    }],
  };

  it("marks each changed range on both maps, and flags each side's regions: changed, removed from A, added in B", () => {
    const [a, b] = withDiff(capture('a', [region(0x1000n, 0x2000n), region(0x5000n, 0x6000n)]), capture('b', [region(0x1000n, 0x2000n), region(0x9000n, 0xa000n)]), diff);
    expect(a.marks).toEqual([{ kind: 'changed', address: 0x1100n, length: 2, label: 'changed 2 bytes (counter) at 0x1100', detail: 'app+0x100 counter\nA e803\nB e110' }]);
    expect(b.marks.map((m) => m.address)).toEqual([0x1100n]);
    expect(a.regions.map((x) => x.diff)).toEqual(['changed', 'removed']);
    expect(b.regions.map((x) => x.diff)).toEqual(['changed', 'added']);
    const html = renderPage([a, b], undefined, { a: 0, b: 1, document: diff });
    expect(html).toContain('they differ: 1 region changed (2 bytes), 1 added, 1 removed, 0 resized; 0 the same');
    expect(html).toContain('<tr class="change" data-address="0x1100"><td>0x1100</td><td class="n">2</td><td>app+0x100 counter</td>');
  });
});
