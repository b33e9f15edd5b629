// A scan's progress on a terminal: one line on stderr, redrawn at most ten
// times a second, shown only once a scan has run for half a second (quick
// scans do not flicker), and erased when the scan ends. Never on a pipe or
// with --json: scripts get clean output.
import type { ScanProgress } from '../runtime/scan.ts';
import { formatBytes } from './format.ts';
import { count } from '../count.ts';

const SHOW_AFTER_MS = 500;
const REDRAW_MS = 100;

export interface ProgressLine {
  update(progress: ScanProgress & { readonly line: number }): void;
  /** Erases the line, if one is shown. */
  end(): void;
}

export function progressLine(stream: { write(text: string): unknown }, now: () => number = Date.now): ProgressLine {
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
      stream.write(`\r\x1b[Kscan at line ${p.line}: ${formatBytes(p.bytesScanned)} of ${formatBytes(p.bytesTotal)} (${percent}%), ${count(p.hits, 'hit')}`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
      startedAt = undefined;
      drawnAt = 0;
    },
  };
}
