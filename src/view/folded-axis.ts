// Where each region goes on the page: one row per region, top to bottom in
// address order, its height growing with the log of its size (a 4 KiB page
// and a 1 GiB heap both readable), and each gap between regions folded to a
// thin row that says how much address space it skips. A 47-bit address
// space with a few hundred regions fits on a page this way.
import type { Mark, ViewRegion } from './view-model.ts';

export type Row =
  | { readonly kind: 'region'; readonly region: ViewRegion; readonly y: number; readonly height: number }
  | { readonly kind: 'gap'; readonly start: bigint; readonly end: bigint; readonly y: number; readonly height: number };

/** The height of a one-page region, and what each doubling of the size adds, up to ROW_MOST. */
const ROW_LEAST = 18;
const ROW_PER_DOUBLING = 3;
const ROW_MOST = 84;
const GAP_HEIGHT = 14;
const PAGE = 4096n;

export function regionHeight(size: bigint): number {
  const pages = size <= PAGE ? 1 : Number(size / PAGE);
  return Math.min(ROW_MOST, Math.round(ROW_LEAST + ROW_PER_DOUBLING * Math.log2(pages)));
}

/** The rows of `regions` (in address order), from `top`. */
export function foldedRows(regions: readonly ViewRegion[], top = 0): Row[] {
  const rows: Row[] = [];
  let y = top;
  let previous: ViewRegion | undefined;
  for (const region of regions) {
    if (previous !== undefined && region.start > previous.end) {
      rows.push({ kind: 'gap', start: previous.end, end: region.start, y, height: GAP_HEIGHT });
      y += GAP_HEIGHT;
    }
    const height = regionHeight(region.end - region.start);
    rows.push({ kind: 'region', region, y, height });
    y += height;
    previous = region;
  }
  return rows;
}

/** The y of `address` on the rows: linear within its region; undefined when no region holds it. */
export function markY(rows: readonly Row[], mark: Pick<Mark, 'address'>): number | undefined {
  const row = regionRowAt(rows, mark.address);
  if (row === undefined) return undefined;
  const { start, end } = row.region;
  // Fractions of a region as bigints first: addresses are past 2^53.
  const fraction = Number(((mark.address - start) * 10_000n) / (end - start)) / 10_000;
  return row.y + fraction * row.height;
}

function regionRowAt(rows: readonly Row[], address: bigint): Extract<Row, { kind: 'region' }> | undefined {
  let low = 0;
  let high = rows.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const row = rows[middle]!;
    const [start, end] = row.kind === 'region' ? [row.region.start, row.region.end] : [row.start, row.end];
    if (address < start) high = middle - 1;
    else if (address >= end) low = middle + 1;
    else return row.kind === 'region' ? row : undefined;
  }
  return undefined;
}

/** Pages the marks fall in, joined where they touch: what a report without its evidence can draw of the map. */
export function pagesOfMarks(marks: readonly Mark[]): ViewRegion[] {
  const pages = marks
    .map((m) => ({ start: m.address - (m.address % PAGE), end: roundUp(m.address + BigInt(Math.max(1, m.length))) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const joined: { start: bigint; end: bigint }[] = [];
  for (const page of pages) {
    const last = joined.at(-1);
    if (last !== undefined && page.start <= last.end) last.end = last.end > page.end ? last.end : page.end;
    else joined.push({ ...page });
  }
  return joined.map(({ start, end }) => ({ start, end, perms: '????', offset: 0n, path: '', deleted: false, guessed: true }));
}

function roundUp(address: bigint): bigint {
  return ((address + PAGE - 1n) / PAGE) * PAGE;
}
