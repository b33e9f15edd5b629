// `--report FILE` for a run over many processes (docs/forensics.md): one
// document, `run` once, then a section per process in pid order, each the
// very `results` a report of that process alone holds, and the run's exit
// status. Each process's section is recorded where it runs (this pvm or a
// helper) as a report of its own, in a part file beside FILE; this pvm joins
// each part's `results` in, as it comes, and removes the part. A process that
// never got as far as a report (gone, refused before it was opened) has a
// section with `"results": null`, its exit status and its error.
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { notAppendable } from '../regular-file.ts';
import { REPORT_FORMAT, REPORT_VERSION, runPart } from '../api/report.ts';
import { streamedArray, type StreamedJson, streamJson, tailValue } from '../api/streamed-json.ts';

/** A nonce for part files: no two runs, and no file an attacker left, share a name. */
const NONCE = globalThis.crypto.randomUUID().slice(0, 8);

/** Where the section of process `pid` is recorded: beside FILE, under a name of this pvm's own. */
export function sectionPath(file: string, pid: number): string {
  return join(dirname(file), `.${basename(file)}.pid${pid}-${process.pid}-${NONCE}.part`);
}

/** How one process's run ended, for its section. */
export interface SectionOutcome {
  readonly pid: number;
  /** Its part file, recorded and finished; undefined when no report was begun (or it was cut short). */
  readonly section: string | undefined;
  readonly exit: number;
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

export interface ManyReport {
  /** The next process's section, in pid order: its part is joined in and removed (never throws: see finish). */
  add(outcome: SectionOutcome): void;
  /** Writes the end; throws report-unwritable (exit 2) when the report could not be written. */
  finish(exit: number): void;
  /** Leaves the report cut short (a crash). */
  abandon(): void;
}

/** Starts the report of a run over many processes (refused, exit 2, when FILE cannot be written). */
export function recordManyReport(file: string): ManyReport {
  const startedAt = new Date().toISOString();
  const skeleton = { format: REPORT_FORMAT, version: REPORT_VERSION, run: runPart(startedAt), processes: streamedArray('processes'), exit: tailValue('exit') };
  const unwritable = (error: unknown) => new UsageError('report-unwritable', `cannot write the report ${file}: ${(error as Error).message}`, { hint: 'write the report to a regular file in a directory you may write, on a disk with room' });
  let document: StreamedJson;
  try {
    const refused = notAppendable(file);
    if (refused !== undefined) throw new Error(refused);
    document = streamJson(file, skeleton, ['processes']);
  } catch (error) {
    throw unwritable(error);
  }
  // A section that cannot be written (a full disk) abandons the report; the run goes on, and `finish` says why.
  let failure: UsageError | undefined;
  return {
    add({ pid, section, exit, error }) {
      try {
        if (failure !== undefined) return;
        if (section === undefined) document.push('processes', { pid, results: null, exit, error: error ?? null });
        else document.pushText('processes', [`{\n  "pid": ${pid},\n  "results": `, ...resultsOf(section), '\n}']);
      } catch (cause) {
        document.abandon();
        failure = unwritable(cause);
      } finally {
        if (section !== undefined) rmSync(section, { force: true });
      }
    },
    finish(exit) {
      if (failure !== undefined) throw failure;
      try {
        document.finish({ endedAt: new Date().toISOString(), exit });
      } catch (cause) {
        throw unwritable(cause);
      }
    },
    abandon: () => document.abandon(),
  };
}

/** Where `results` begins in a report of one process, as report.ts writes it (2-space indented: `run` before it). */
const RESULTS_KEY = '\n  "results": ';
/** How such a report ends, after its `results`. */
const REPORT_END = '\n}\n';

/**
 * The text of a part's `results`, in pieces, as it stands in the part: its
 * lines indented for depth 1, where a section's `results` stands too.
 */
function* resultsOf(part: string): Generator<string> {
  const fd = openSync(part, 'r');
  try {
    const buffer = new Uint8Array(1 << 20);
    const decoder = new TextDecoder();
    let text = '';
    let started = false;
    for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) {
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
      if (!started) {
        const at = text.indexOf(RESULTS_KEY);
        if (at < 0) continue;
        text = text.slice(at + RESULTS_KEY.length);
        started = true;
      }
      // The end is held back until the file is read: it is not part of `results`.
      if (text.length > REPORT_END.length) {
        yield text.slice(0, text.length - REPORT_END.length);
        text = text.slice(text.length - REPORT_END.length);
      }
    }
    text += decoder.decode();
    if (!started || text !== REPORT_END) throw new Error(`the section ${part} is not a finished report`);
  } finally {
    closeSync(fd);
  }
}
