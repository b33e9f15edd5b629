// A scan's progress on a terminal: one line on stderr, redrawn at most ten
// times a second, shown only once a scan has run for half a second (quick
// scans do not flicker), and erased when the scan ends. Never on a pipe or
// with --json: scripts get clean output.
import type { ScanProgress } from '../runtime/scans/scan.ts';
import { formatBytes } from './format.ts';
import { count } from '../count.ts';

const SHOW_AFTER_MS = 500;
const REDRAW_MS = 100;

export interface ProgressLine {
  update(progress: ScanProgress & { readonly line: number }): void;
  /** Erases the line, if one is shown. */
  end(): void;
}

/** `title`: what runs, for progress that is not a scan's (a snapshot's, which has no line and no hits). */
export function progressLine(stream: { write(text: string): unknown }, now: () => number = Date.now, title?: string): ProgressLine {
  let startedAt: number | undefined;
  let drawnAt = 0;
  let shown = false;
  return {
    update(p) {
      const time = now();
      startedAt ??= time;
      if (time - startedAt < SHOW_AFTER_MS || time - drawnAt < REDRAW_MS) return;
      drawnAt = time;
      shown = true;
      const percent = p.bytesTotal === 0 ? 100 : Math.floor((100 * p.bytesScanned) / p.bytesTotal);
      const done = `${formatBytes(p.bytesScanned)} of ${formatBytes(p.bytesTotal)} (${percent}%)`;
      stream.write(`\r\x1b[K${title === undefined ? `scan at line ${p.line}: ${done}, ${count(p.hits, 'hit')}` : `${title}: ${done}`}`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
      startedAt = undefined;
      drawnAt = 0;
    },
  };
}
