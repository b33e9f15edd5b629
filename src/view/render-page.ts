// The page `pvm view` writes: one HTML file that needs nothing else (its
// CSS, SVG and the few lines of script for the tooltip are inline, and its
// Content-Security-Policy forbids fetching anything), so it opens in any
// browser, offline. Everything taken from an input is escaped: a report or
// a core is anyone's file. Its size grows with the regions, marks and
// events drawn (each bounded), never with the bytes of the process.
import { createHash } from 'node:crypto';
import { hexAddress } from '../bytes.ts';
import { formatBytes } from '../cli/format.ts';
import { count } from '../count.ts';
import { foldedRows, markY, type Row } from './folded-axis.ts';
import { MAX_EVENT_ROWS } from './report-events.ts';
import { type DiffDocument, MAX_DIFF_RANGES, where } from './diff-view.ts';
import type { Mark, ViewInput, ViewRegion } from './view-model.ts';

/** Regions drawn at most per input; a process has rarely more than a few thousand (vm.max_map_count is 65530). */
export const MAX_DRAWN_REGIONS = 3000;
/** Marks that get a label beside the map (the others are drawn, with a tooltip). */
const MAX_LABELLED_MARKS = 80;
const LABEL_SPACING = 13;
/** Marks by weight: changes first (labelled first, drawn on top), then what was found, then what was read. */
const MARK_ORDER: readonly Mark['kind'][] = ['write', 'patch', 'changed', 'found', 'dump', 'read'];

/** Columns of the map: the marks' labels, the bar, the regions' text. */
const MARK_LABEL_RIGHT = 300;
const BAR_LEFT = 320;
const BAR_WIDTH = 110;
const TEXT_LEFT = BAR_LEFT + BAR_WIDTH + 10;
const MAP_WIDTH = 900;

/** `diff`: what pvm diff says of the two captures among the inputs (A and B by their index), drawn after them. */
export function renderPage(inputs: readonly ViewInput[], note: string | undefined, diff?: { readonly a: number; readonly b: number; readonly document: DiffDocument }): string {
  const title = `pvm view: ${inputs.map((i) => i.file).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${PAGE_SCRIPT_SHA256}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>pvm view</h1>
<p class="files">${inputs.map((i) => `<a href="#input-${inputs.indexOf(i)}">${escape(i.file)}</a> <span class="kind">${i.kind}</span>`).join(' · ')}</p>
${legend()}
${note === undefined ? '' : `<p class="note">${escape(note)}</p>`}
</header>
<main class="inputs">
${inputs.map(section).join('\n')}
${diff === undefined ? '' : diffSection(inputs[diff.a]!, inputs[diff.b]!, diff.document)}
</main>
<div id="tip" class="tip" hidden></div>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function section(input: ViewInput, index: number): string {
  const mapped = input.regions.filter((r) => !r.guessed).reduce((sum, r) => sum + (r.end - r.start), 0n);
  const summary = [
    input.regions.some((r) => r.guessed) ? undefined : `${count(input.regions.length, 'region')}, ${formatBytes(Number(mapped))} mapped`,
    count(input.marks.length, 'mark'),
    input.kind === 'report' ? count(input.eventsTotal, 'event') : undefined,
  ].filter((part) => part !== undefined).join(' · ');
  return `<section class="input" id="input-${index}" data-kind="${input.kind}">
<h2><span class="kind">${input.kind}</span> ${escape(input.file)}</h2>
<p class="subtitle">${escape(input.title)} · ${summary}</p>
<h3>Address space</h3>
<p class="map-note">${escape(input.mapNote)}</p>
${map(input, index)}
<div class="facts">
${table('Target', 'identity', input.identity)}
${table('Digests (sha256)', 'digests', input.digests)}
</div>
${modules(input)}
${input.kind === 'report' ? events(input) : ''}
</section>`;
}

function map(input: ViewInput, index: number): string {
  const hatch = `h${index}`;
  const regions = input.regions.slice(0, MAX_DRAWN_REGIONS);
  const rows = foldedRows(regions, 8);
  const bottom = (rows.at(-1)?.y ?? 8) + (rows.at(-1)?.height ?? 0);
  const placed = placeMarks(rows, input.marks);
  const labelled = labels(placed);
  const height = Math.ceil(Math.max(bottom, (labelled.at(-1)?.labelY ?? 0) + 8) + 8);
  const more = input.regions.length - regions.length;
  // Without marks, the column of their labels is left out.
  const left = placed.length === 0 ? BAR_LEFT - 10 : 0;
  return `<figure class="map">
<svg xmlns="http://www.w3.org/2000/svg" width="${MAP_WIDTH - left}" height="${height}" viewBox="${left} 0 ${MAP_WIDTH - left} ${height}" role="img" aria-label="address space of ${escape(input.title)}">
<defs>
<pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a3" stroke-width="1.5" stroke-opacity=".55"/></pattern>
</defs>
${rows.map((row) => (row.kind === 'gap' ? gapRow(row) : regionRow(row, hatch))).join('\n')}
${[...placed].sort((x, y) => MARK_ORDER.indexOf(y.mark.kind) - MARK_ORDER.indexOf(x.mark.kind)).map(markShape).join('\n')}
${labelled.map(markLabel).join('\n')}
</svg>
${more > 0 ? `<figcaption>${count(more, 'more region')} not drawn (the first ${MAX_DRAWN_REGIONS} are)</figcaption>` : ''}
</figure>`;
}

function regionRow(row: Extract<Row, { kind: 'region' }>, hatch: string): string {
  const r = row.region;
  const size = r.end - r.start;
  const name = regionName(r);
  // Hatched: not in the core (its colour faded), or known only from the events (no colour: no permissions known).
  const hatched = r.guessed || r.leftOut !== undefined;
  const fill = r.guessed ? '#eceff3' : permsColour(r.perms);
  const tip = [
    `${hexAddress(r.start)}–${hexAddress(r.end)}`,
    r.guessed ? 'a page the events name (the map is not in the report)' : `${r.perms}  offset ${hexAddress(r.offset)}  ${formatBytes(Number(size))}`,
    r.path === '' ? (r.guessed ? '' : 'anonymous memory') : `${r.path}${r.deleted ? ' (deleted)' : ''}`,
    r.leftOut === undefined ? '' : `left out: ${r.leftOut}`,
    r.diff === undefined ? '' : `${r.diff} (pvm diff)`,
  ].filter((line) => line !== '').join('\n');
  const textY = row.y + Math.min(row.height / 2, 12) + 4;
  const flag = r.diff === undefined ? '' : `<rect class="diff-${r.diff}" x="${BAR_LEFT + BAR_WIDTH + 2}" y="${row.y}" width="4" height="${row.height - 1}"/>`;
  const perms = r.guessed ? '' : `<tspan class="p">${escape(r.perms)}</tspan> `;
  return `<g class="region${r.diff === undefined ? '' : ` diff-${r.diff}`}" data-start="${hexAddress(r.start)}" data-end="${hexAddress(r.end)}" data-perms="${escape(r.perms)}" data-name="${escape(name)}"><title>${escape(tip)}</title>
<rect x="${BAR_LEFT}" y="${row.y}" width="${BAR_WIDTH}" height="${row.height - 1}" fill="${fill}"${hatched ? ' fill-opacity=".4"' : ''} rx="2"/>${
    hatched ? `<rect x="${BAR_LEFT}" y="${row.y}" width="${BAR_WIDTH}" height="${row.height - 1}" fill="url(#${hatch})"/>` : ''
  }${flag}
<text x="${TEXT_LEFT}" y="${textY}"><tspan class="a">${hexAddress(r.start)}</tspan> ${perms}<tspan class="n">${escape(name)}</tspan> <tspan class="a">${r.guessed ? '' : formatBytes(Number(size))}</tspan></text>
</g>`;
}

function gapRow(row: Extract<Row, { kind: 'gap' }>): string {
  const middle = row.y + row.height / 2;
  const zigzag = Array.from({ length: 12 }, (_, i) => `${BAR_LEFT + (i * BAR_WIDTH) / 11},${middle + (i % 2 === 0 ? -3 : 3)}`).join(' ');
  const size = row.end - row.start;
  return `<g class="gap"><title>${escape(`${hexAddress(row.start)}–${hexAddress(row.end)}\n${formatBytes(Number(size))} not mapped (folded)`)}</title>
<polyline points="${zigzag}" fill="none" stroke="#9aa3ae" stroke-width="1"/>
<text x="${TEXT_LEFT}" y="${middle + 4}" class="gap-text">⋯ ${formatBytes(Number(size))} unmapped</text>
</g>`;
}

interface PlacedMark {
  readonly mark: Mark;
  readonly y: number;
}

/** Marks on a drawn region, at their address. */
function placeMarks(rows: readonly Row[], marks: readonly Mark[]): PlacedMark[] {
  return marks.flatMap((mark) => {
    const y = markY(rows, mark);
    return y === undefined ? [] : [{ mark, y }];
  });
}

/** Which marks get a label, and where: changes first, then what was found, then what was read; in address order, none overlapping. */
function labels(placed: readonly PlacedMark[]): (PlacedMark & { labelY: number })[] {
  const chosen = [...placed].sort((a, b) => MARK_ORDER.indexOf(a.mark.kind) - MARK_ORDER.indexOf(b.mark.kind)).slice(0, MAX_LABELLED_MARKS).sort((a, b) => a.y - b.y);
  let last = -Infinity;
  return chosen.map((p) => {
    const labelY = Math.max(p.y + 4, last + LABEL_SPACING);
    last = labelY;
    return { ...p, labelY };
  });
}

function markShape({ mark, y }: PlacedMark): string {
  return `<g class="mark mark-${mark.kind}" data-kind="${mark.kind}" data-address="${hexAddress(mark.address)}"><title>${escape(mark.detail === undefined ? mark.label : `${mark.label}\n${mark.detail}`)}</title>
<line x1="${BAR_LEFT - 4}" x2="${BAR_LEFT + BAR_WIDTH}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}"/><circle cx="${BAR_LEFT - 4}" cy="${y.toFixed(1)}" r="3"/></g>`;
}

function markLabel(p: PlacedMark & { labelY: number }): string {
  return `<g class="mark-label mark-${p.mark.kind}" data-address="${hexAddress(p.mark.address)}">
<polyline points="${MARK_LABEL_RIGHT + 2},${(p.labelY - 4).toFixed(1)} ${BAR_LEFT - 8},${p.y.toFixed(1)}" fill="none"/>
<text x="${MARK_LABEL_RIGHT}" y="${p.labelY.toFixed(1)}" text-anchor="end">${escape(shorten(p.mark.label, 44))}</text></g>`;
}

function diffSection(a: ViewInput, b: ViewInput, diff: DiffDocument): string {
  const s = diff.summary;
  const ranges = diff.regions.flatMap((r) => r.ranges.map((range) => ({ region: r, range })));
  const rows = ranges.slice(0, MAX_DIFF_RANGES).map(({ region, range }) => {
    const moved = range.a === range.b ? '' : ` (B: ${range.b})`;
    return `<tr class="change" data-address="${escape(range.a)}"><td>${escape(range.a)}${escape(moved)}</td><td class="n">${range.length}</td><td>${
      escape(where(range).trim() || regionLabel(region.a))
    }</td><td class="bytes"><span class="A">A ${escape(spaced(range.bytesA, 32))}</span><br><span class="B">B ${escape(spaced(range.bytesB, 32))}</span></td></tr>`;
  });
  const omitted = ranges.length - rows.length + s.rangesOmitted;
  const regions = [
    ...diff.removed.map((r) => ['removed', r] as const),
    ...diff.added.map((r) => ['added', r] as const),
    ...diff.regions.filter((r) => r.resized || r.permsChanged).map((r) => [r.resized ? 'resized' : 'perms', r.a, r.b] as const),
  ].map(([what, r, other]) =>
    `<tr class="diff-${what}"><td><span class="chip">${what}</span></td><td>${escape(r.start)}–${escape(r.end)}</td><td>${escape(r.perms)}${
      other === undefined ? '' : ` → ${escape(other.perms)} ${escape(other.start)}–${escape(other.end)}`
    }</td><td>${escape(regionLabel(r))}</td></tr>`
  );
  return `<section class="input diff" id="diff">
<h2><span class="kind">diff</span> A ${escape(a.file)} → B ${escape(b.file)}</h2>
<p class="diff-summary">${
    diff.differ ? `they differ: ${count(s.changed, 'region')} changed (${count(s.bytesChanged, 'byte')}), ${s.added} added, ${s.removed} removed, ${s.resized} resized; ${s.same} the same` : `they are the same: ${count(s.same, 'region')}`
  }</p>
<p class="subtitle">${formatBytes(s.bytesCompared)} compared, ${formatBytes(s.bytesNotRead)} not read (holes, or one file's bytes on both sides)${
    s.bytesNotCompared > 0 ? `, ${formatBytes(s.bytesNotCompared)} not compared (one side cannot give them)` : ''
  }; the changes are marked on both maps above (as pvm diff A B finds them)</p>
${regions.length === 0 ? '' : `<h3>Regions</h3><table class="diff-regions"><tbody>${regions.join('')}</tbody></table>`}
${
    rows.length === 0 ? '' : `<h3>Changed bytes</h3><table class="diff"><thead><tr><th>address</th><th>bytes</th><th>where</th><th>A → B (the first 32 bytes)</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`
  }${omitted > 0 ? `<p class="more">${count(omitted, 'more changed range')} (pvm diff --json lists them)</p>` : ''}
</section>`;
}

function regionLabel(r: { readonly path: string }): string {
  return r.path === '' ? 'anonymous memory' : r.path;
}

/** `e8 03 00 00 …`: the first `most` bytes of a hex string. */
function spaced(hex: string, most: number): string {
  const bytes = hex.slice(0, most * 2).match(/../g) ?? [];
  return bytes.join(' ') + (hex.length > most * 2 ? ' …' : '');
}

function table(title: string, kind: string, rows: readonly (readonly [string, string])[]): string {
  return `<div class="${kind}"><h3>${title}</h3><table class="${kind}">${rows.map(([label, value]) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`).join('')}</table></div>`;
}

function modules(input: ViewInput): string {
  if (input.modules.length === 0) return '';
  return `<h3>Modules</h3><table class="modules"><tr><th>path</th><th>build-id</th></tr>${input.modules.map((m) => `<tr><td>${escape(m.path)}</td><td class="hex">${escape(m.buildId ?? '—')}</td></tr>`).join('')}</table>`;
}

function events(input: ViewInput): string {
  const rows = input.events.map((e, i) =>
    `<tr class="event event-${escapeId(e.type)}"><td class="n">${i}</td><td class="n">${e.line ?? ''}</td><td><span class="chip">${escape(e.type)}</span></td><td class="text">${escape(e.text)}</td></tr>`
  ).join('\n');
  const more = input.eventsTotal > input.events.length ? `<p class="more">${count(input.eventsTotal - input.events.length, 'more event')} in the report (the first ${MAX_EVENT_ROWS} are shown)</p>` : '';
  return `<h3>Events</h3>
<table class="events"><thead><tr><th>#</th><th>line</th><th>type</th><th>what</th></tr></thead><tbody>
${rows || '<tr><td colspan="4">the run had no events</td></tr>'}
</tbody></table>${more}`;
}

function legend(): string {
  const perms = [['r--', 'read only'], ['rw-', 'read-write'], ['r-x', 'code'], ['rwx', 'writable code'], ['---', 'no access']] as const;
  const marks = [['write', 'write'], ['patch', 'patch site'], ['found', 'address emitted or printed (scan hit, symbol)'], ['dump', 'dump'], ['read', 'range read'], ['changed', 'changed between two captures']] as const;
  return `<div class="legend">${perms.map(([p, what]) => `<span><i class="swatch" style="background:${permsColour(p)}"></i>${p} ${what}</span>`).join('')}<span><i class="swatch hatched"></i>left out, or not in the report</span>${
    marks.map(([kind, what]) => `<span class="mark-${kind}"><i class="dot"></i>${what}</span>`).join('')
  }</div>`;
}

/** The colour of a region by what it may be used for: code warm, writable data green, read-only blue. */
export function permsColour(perms: string): string {
  const [r, w, x] = [perms[0] === 'r', perms[1] === 'w', perms[2] === 'x'];
  if (x && w) return '#e07a7a';
  if (x) return '#f2b66d';
  if (w) return '#8fd19e';
  if (r) return '#9fc2e7';
  return '#d5d9de';
}

/** `libc.so.6`, `[heap]`, or `anon`. */
function regionName(r: ViewRegion): string {
  if (r.guessed) return 'named by the events';
  if (r.path === '') return 'anon';
  if (r.path.startsWith('[')) return r.path;
  return r.path.slice(r.path.lastIndexOf('/') + 1) + (r.deleted ? ' (deleted)' : '');
}

function shorten(text: string, most: number): string {
  return text.length <= most ? text : `${text.slice(0, most - 1)}…`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function escapeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

const PAGE_CSS = `
:root { color-scheme: light; --ink: #1d232b; --muted: #667085; --line: #e3e7ec; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7f9; }
header { padding: 16px 24px 8px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 20px; }
h2 { margin: 0; font-size: 17px; word-break: break-all; }
h3 { margin: 18px 0 6px; font-size: 14px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
a { color: #1f5fbf; }
.files, .subtitle, .map-note, .note, .more { color: var(--muted); margin: 2px 0; }
.note { color: #8a5a00; }
.kind { display: inline-block; padding: 0 6px; border-radius: 4px; background: #e8edf5; color: #34495e; font-size: 12px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 8px 0 4px; font-size: 12px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 14px; height: 10px; border-radius: 2px; border: 1px solid #0001; }
.swatch.hatched { background: repeating-linear-gradient(45deg, #eceff3 0 3px, #a3acb8 3px 4.5px); }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
.inputs { display: flex; flex-wrap: wrap; gap: 20px; padding: 20px 24px; align-items: flex-start; }
.input { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; min-width: 0; flex: 1 1 880px; max-width: 100%; }
.map { margin: 0; overflow-x: auto; }
.map svg { display: block; font: 11px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.map text { fill: var(--ink); }
.map .a { fill: var(--muted); }
.map .p { fill: #7a4b00; }
.map .n { font-weight: 700; }
.map .gap-text { fill: #9aa3ae; font-style: italic; }
.region:hover rect { stroke: #1d232b; stroke-width: 1.5; }
.mark line { stroke-width: 2; stroke: currentColor; }
.mark circle { fill: currentColor; }
.mark-label polyline { stroke: currentColor; stroke-width: .8; opacity: .6; }
.mark-label text { fill: currentColor; }
.mark-changed { color: #ef6c00; }
.diff-added { fill: #2e7d32; } .diff-removed { fill: #c62828; } .diff-resized, .diff-changed { fill: #ef6c00; }
.diff-summary { font-size: 15px; margin: 4px 0 8px; }
table.diff td.bytes { font-size: 12px; }
table.diff .A { color: #c62828; } table.diff .B { color: #2e7d32; }
.mark-write { color: #c62828; } .mark-patch { color: #8e24aa; } .mark-found { color: #1565c0; } .mark-dump { color: #00897b; } .mark-read { color: #757575; }
.facts { display: flex; flex-wrap: wrap; gap: 0 32px; }
.facts > div { flex: 1 1 380px; min-width: 0; }
.facts > div.digests { flex-basis: 100%; }
.input.diff { flex-basis: 100%; }
table.digests th { white-space: normal; width: 1%; min-width: 240px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; word-break: break-all; }
.events td.n { color: var(--muted); text-align: right; width: 1%; }
.chip { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 10px; background: #eef1f5; font-family: system-ui, sans-serif; font-size: 12px; }
.event-write .chip { background: #fde2e2; color: #c62828; } .event-patch .chip { background: #f3e0f7; color: #8e24aa; }
.event-emit .chip, .event-print .chip { background: #e1ecfb; color: #1565c0; } .event-dump .chip { background: #dcf3f0; color: #00695c; }
.tip { position: fixed; z-index: 10; pointer-events: none; max-width: 520px; padding: 6px 9px; border-radius: 6px; background: #1d232bee; color: #fff; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; box-shadow: 0 2px 8px #0003; }
`;

// The tooltip: an element's SVG <title>, which a browser shows without script too; with script, each title
// becomes its element's data-tip, shown at once beside the pointer (and the browser's own tooltip no more).
const PAGE_SCRIPT = `
(function () {
  var tip = document.getElementById('tip');
  Array.prototype.forEach.call(document.querySelectorAll('svg title'), function (t) {
    t.parentNode.setAttribute('data-tip', t.textContent);
    t.remove();
  });
  document.addEventListener('mousemove', function (e) {
    var el = e.target.closest ? e.target.closest('[data-tip]') : null;
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.hidden = false;
    var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var y = e.clientY + 16 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 10 : e.clientY + 16;
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  });
})();
`;
/** The one script the page runs, by its hash: no other (a string from a report that escaping missed) would run. */
const PAGE_SCRIPT_SHA256 = createHash('sha256').update(PAGE_SCRIPT).digest('base64');
