// How a run's events show on the command line: lines for people or JSON
// lines on stdout; on stderr, each scan's summary with --verbose, a patch's
// stop time with --verbose, the note that a pointer scan's search was cut
// short (even with --json: the list looks whole), and a scan's progress line
// for a person at a terminal.
import type { OutputEvent } from '../runtime/execute.ts';
import type { RunSinks } from '../api/run-recipe.ts';
import { formatEvent, formatScanSummary, pointerScanCut } from './format.ts';
import { type ProgressLine, progressLine } from './progress.ts';

/** Where the lines go: stdout, stderr, and whether a progress line may be drawn (a person at a terminal; asked only by a run that scans). */
export interface RunLines {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly progress: boolean;
}

/** The sink of a run's events that prints them as `pvm run` does. */
export function printedEvents(options: { readonly json: boolean; readonly verbose: boolean }, lines: RunLines): Pick<RunSinks, 'event' | 'progress'> {
  let progress: ProgressLine | undefined;
  return {
    event(event: OutputEvent, spend: (chars: number) => void): void {
      if (event.type === 'scan') {
        progress?.end();
        if (options.verbose && !options.json) lines.err(formatScanSummary(event));
        else if (event.pointers?.cut === true) lines.err(`pvm: note: pointerscan at line ${event.line}: ${pointerScanCut(event.pointers.levels.length)}`);
      }
      if (event.type === 'patch' && event.outcome.frozen !== undefined && options.verbose && !options.json) {
        const { threads, micros, tries } = event.outcome.frozen;
        lines.err(`patch at line ${event.line}: ${threads} thread(s) stopped for ${micros} µs${tries > 1 ? ` (after ${tries} tries: a thread was inside the site)` : ''}`);
      }
      const text = formatEvent(event, options.json);
      if (text === undefined) return;
      spend(text.length + 1);
      lines.out(text);
    },
    // Progress only for people watching a terminal; the line is made when a scan first reports.
    progress: () => (!options.json && lines.progress ? (update) => (progress ??= progressLine(process.stderr)).update(update) : undefined),
  };
}
