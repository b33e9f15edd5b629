// What `pvm view` draws of one input (a report, a snapshot or a core): made
// by view-command.ts from the file, drawn by render-page.ts. Plain data, so
// that the page is a function of it alone.
import type { Region } from '../target/target.ts';

/** A place the run touched or found: drawn on the map, at its address. */
export interface Mark {
  /**
   * `write` and `patch` changed memory; `dump` and `read` read it; `found` is an address the recipe emitted or
   * printed (a scan's hit, a symbol); `changed`, bytes that differ between two captures.
   */
  readonly kind: 'write' | 'patch' | 'dump' | 'read' | 'found' | 'changed';
  readonly address: bigint;
  readonly length: number;
  /** What it is, for the label and the tooltip: `write 4 bytes (line 3) at 0x…`. */
  readonly label: string;
  /** More for the tooltip than the label says. */
  readonly detail?: string;
}

/** A region as drawn: the map's, or (for a report without its evidence) a page the events name. */
export interface ViewRegion extends Region {
  /** Why its bytes are not in the core (left out of a snapshot), if they are not. */
  readonly leftOut?: string | undefined;
  /** Known only from an address in the events: the map itself is not in the report. */
  readonly guessed?: boolean;
  /** Between two captures: in B only, in A only, or paired with a region of another size or other bytes. */
  readonly diff?: 'added' | 'removed' | 'resized' | 'changed';
}

/** One row of the events table. */
export interface EventRow {
  readonly type: string;
  readonly line: number | undefined;
  readonly text: string;
}

export interface ViewInput {
  /** The file, as given. */
  readonly file: string;
  readonly kind: 'report' | 'snapshot' | 'core';
  /** `pid 4242 (app)`. */
  readonly title: string;
  /** The target's identity and other facts, as label and value. */
  readonly identity: readonly (readonly [string, string])[];
  readonly regions: readonly ViewRegion[];
  /** Where the map came from, or why it is not drawn whole. */
  readonly mapNote: string;
  readonly marks: readonly Mark[];
  readonly modules: readonly { readonly path: string; readonly buildId: string | null }[];
  /** The run's events (a report's), at most MAX_EVENT_ROWS; `eventsTotal` counts them all. */
  readonly events: readonly EventRow[];
  readonly eventsTotal: number;
  /** sha256 of the recipe, the map, the core, and each range read. */
  readonly digests: readonly (readonly [string, string])[];
}
