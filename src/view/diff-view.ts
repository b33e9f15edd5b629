// Two captures on one page: what `pvm diff A B --json` says of them
// (src/cli/diff-command.ts makes it), as marks on each map (each changed
// range at its address on each side), regions marked added, removed,
// resized or changed, and the table of changes the page shows below them.
import { hexAddress } from '../bytes.ts';
import type { Mark, ViewInput, ViewRegion } from './view-model.ts';

/** The parts of pvm diff's --json the page reads. */
export interface DiffDocument {
  readonly differ: boolean;
  readonly summary: {
    readonly same: number;
    readonly changed: number;
    readonly added: number;
    readonly removed: number;
    readonly resized: number;
    readonly bytesChanged: number;
    readonly bytesCompared: number;
    readonly bytesNotRead: number;
    readonly bytesNotCompared: number;
    readonly rangesOmitted: number;
  };
  readonly added: readonly DiffRegion[];
  readonly removed: readonly DiffRegion[];
  readonly regions: readonly {
    readonly a: DiffRegion;
    readonly b: DiffRegion;
    readonly resized: boolean;
    readonly permsChanged: boolean;
    readonly bytesChanged: number;
    readonly ranges: readonly DiffRange[];
    readonly rangesOmitted: number;
  }[];
}

interface DiffRegion {
  readonly start: string;
  readonly end: string;
  readonly perms: string;
  readonly path: string;
}

export interface DiffRange {
  readonly a: string;
  readonly b: string;
  readonly length: number;
  readonly changed: number;
  readonly module: string | null;
  readonly moduleOffset: string | null;
  readonly symbol: string | null;
  readonly symbolOffset: number | null;
  readonly bytesA: string;
  readonly bytesB: string;
}

/** Changed ranges marked on each map at most; the table lists as many. */
export const MAX_DIFF_RANGES = 500;

/** A and B with the diff drawn on their maps: changed ranges marked, regions flagged. */
export function withDiff(a: ViewInput, b: ViewInput, diff: DiffDocument): [ViewInput, ViewInput] {
  const ranges = diff.regions.flatMap((r) => r.ranges).slice(0, MAX_DIFF_RANGES);
  const marks = (side: 'a' | 'b'): Mark[] =>
    ranges.map((range) => ({
      kind: 'changed',
      address: BigInt(range[side]),
      length: range.length,
      label: `changed ${range.length} bytes${range.symbol === null ? '' : ` (${range.symbol})`} at ${range[side]}`,
      detail: `${where(range).trim()}\nA ${range.bytesA.slice(0, 64)}\nB ${range.bytesB.slice(0, 64)}`,
    }));
  const flags = (side: 'a' | 'b') => {
    const flagged = new Map<string, NonNullable<ViewRegion['diff']> | 'same'>();
    for (const r of diff.regions) flagged.set(r[side].start, r.resized ? 'resized' : r.bytesChanged > 0 || r.permsChanged ? 'changed' : 'same');
    for (const r of side === 'a' ? diff.removed : diff.added) flagged.set(r.start, side === 'a' ? 'removed' : 'added');
    return flagged;
  };
  const flag = (input: ViewInput, side: 'a' | 'b'): ViewInput => {
    const flagged = flags(side);
    return {
      ...input,
      regions: input.regions.map((r) => {
        const diffed = flagged.get(hexAddress(r.start));
        return diffed === undefined || diffed === 'same' ? r : { ...r, diff: diffed };
      }),
      marks: [...input.marks, ...marks(side)],
    };
  };
  return [flag(a, 'a'), flag(b, 'b')];
}

/** `  target+0x4100 counter` */
export function where(range: DiffRange): string {
  const module = range.module === null ? '' : ` ${range.module.slice(range.module.lastIndexOf('/') + 1)}+${range.moduleOffset}`;
  const symbol = range.symbol === null ? '' : ` ${range.symbol}${range.symbolOffset ? `+0x${range.symbolOffset.toString(16)}` : ''}`;
  return `${module}${symbol}`;
}
