// `pvm run RECIPE --match SELECTOR` (or --pid given more than once): the
// recipe, compiled once, runs against every process, sharing the ELF files it
// parses (each file parsed once for all processes that map it), in this pvm
// and, when the work left is long, in helper pvms too (helper-pool.ts).
//
// One process that vanishes, refuses or fails never stops the others. With
// --json every line carries "pid", each process ends with a `target` line and
// the run with a `summary`; for people, each process's output is a block under
// its pid. Blocks come in the order of the pids, each as soon as it and those
// before it are done. The exit status is the most serious of the processes'
// (errors.ts mostSerious).
import { existsSync, rmSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { count } from '../count.ts';
import { type ExitCode, mostSerious, PvmError, UsageError } from '../errors.ts';
import type { SourceFile } from '../dsl/source.ts';
import { sha256Hex } from '../digest.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { noProcessMatches, selectProcesses } from '../target/select-processes.ts';
import type { Command, RunCommand } from './args.ts';
import { formatError, formatErrorJson } from './format.ts';
import { runPool, serveAsHelper } from './helper-pool.ts';
import type { ManyReport } from './report-many.ts';
import { type PreparedRun, runPrepared } from '../api/run-recipe.ts';
import { printedEvents } from './run-output.ts';
import { readProcText } from '../native/proc-text.ts';

type Out = (text: string) => void;
type RunMany = Extract<Command, { kind: 'run-many' }>;

/** What one process's run printed, and how it ended. */
export interface Finished {
  readonly pid: number;
  /** Its name when the run began ('exited' for a process that was gone). */
  readonly comm: string;
  readonly exit: ExitCode;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Its pvm error, if it failed with one (for --report). */
  readonly error?: { readonly code: string; readonly message: string };
  /** With --report: its section's part file, finished (report-many.ts); none when no report was begun. */
  readonly section?: string;
  /** --follow: it exited (or exec'd) while the recipe ran, which is no failure of the run. */
  readonly gone?: true;
  /** The journal entries its run made. */
  readonly journaled?: number;
}

export async function runMany(command: RunMany, prepared: PreparedRun<RunCommand>, out: Out): Promise<ExitCode> {
  const pids = command.pids ?? selectProcesses(command.selector!, process.pid);
  if (pids.length === 0) throw noProcessMatches(command.selector!);
  const elfFiles = new ElfFiles();
  const done: Finished[] = [];
  const reportFile = command.run.report;
  let report: ManyReport | undefined;
  if (reportFile !== undefined) {
    const reports = await import('../api/report.ts');
    reports.checkReportPath(reportFile);
    report = (await import('./report-many.ts')).recordManyReport(reportFile);
  }
  let tally;
  try {
    tally = await runPool(pids, {
      jobs: command.jobs,
      // A recipe read from stdin cannot be read again by a helper (its stdin carries pids).
      helperArgs: command.run.recipe.kind === 'file' && command.run.recipe.path === '-' ? undefined : [...command.childArgs, '--pid', '1'],
      // A helper reads the recipe again: it must be this one, byte for byte.
      helperEnvironment: { [HELPER_RECIPE_VARIABLE]: recipeDigest(prepared.source) },
      runHere: (pid) => runHere(prepared, pid, elfFiles),
      lost: (pid, why, exit) => ({ pid, comm: commOf(pid), exit, stdout: [], stderr: [why], error: { code: 'no-result', message: why.replace(/^pvm: /, '') } }),
      deliver: (result) => {
        done.push(result);
        report?.add({ pid: result.pid, section: result.section, exit: result.exit, error: result.error });
        show(result, command.json, out);
      },
    });
  } catch (error) {
    report?.abandon();
    throw error;
  } finally {
    elfFiles.close();
  }

  const failed = done.filter((r) => r.exit !== 0).length;
  const exit = mostSerious(done.map((r) => r.exit));
  const byHelpers = tally.helpers === 0 ? '' : ` (${count(tally.helpers, 'helper pvm')} ran ${tally.helped} of them)`;
  out(
    command.json
      ? JSON.stringify({ type: 'summary', processes: done.length, ok: done.length - failed, failed, exit, helpers: tally.helpers, helped: tally.helped })
      : `${count(done.length, 'process')}: ${done.length - failed} ok, ${failed} failed${byHelpers}`,
  );
  report?.finish(exit); // a report that could not be written is said after the summary (exit 2)
  return exit;
}

/** Runs the recipe against one process in this pvm, keeping what it prints. */
export async function runHere(prepared: PreparedRun<RunCommand>, pid: number, elfFiles: ElfFiles, journalFoundApplied = false): Promise<Finished> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const comm = commOf(pid);
  let exit: ExitCode = 0;
  let crashed = false;
  let failure: PvmError | undefined;
  let journaled = 0;
  // With --report, each process's section is a report of its own, in a part file the report joins in.
  const section = prepared.command.report === undefined ? undefined : (await import('./report-many.ts')).sectionPath(prepared.command.report, pid);
  const run = section === undefined ? prepared : { ...prepared, command: { ...prepared.command, report: section } };
  try {
    const lines = { out: (text: string) => stdout.push(text), err: (text: string) => stderr.push(text), progress: false };
    await runPrepared(run, { kind: 'pid', pid }, { ...printedEvents(prepared.command, lines), elfFiles, journalFoundApplied, journaled: (n) => (journaled += n) });
  } catch (error) {
    const ended = endedBy(error, prepared.command.json);
    stdout.push(...ended.stdout);
    stderr.push(...ended.stderr);
    exit = ended.exit;
    failure = ended.failure;
    crashed = failure === undefined;
  }
  const error = failure !== undefined ? { code: failure.code, message: failure.message } : crashed ? { code: 'internal', message: 'internal error (a bug in pvm, please report it)' } : undefined;
  // A section is whole when the run ended with no error or with one of pvm's own (recorded in it); else it goes.
  const whole = section !== undefined && existsSync(section) && !crashed && failure?.code !== 'report-unwritable';
  if (section !== undefined && !whole) rmSync(section, { force: true });
  return { pid, comm, exit, stdout, stderr, ...(error === undefined ? {} : { error }), ...(whole ? { section } : {}), ...(journaled === 0 ? {} : { journaled }) };
}

/**
 * The sha256 of the recipe the pvm that started a helper prepared (internal: set for the helpers of a run): the
 * helper reads the recipe again by its path, and one changed since (another signed recipe swapped in) must not run
 * in some of the processes of one run.
 */
const HELPER_RECIPE_VARIABLE = 'PVM_INTERNAL_HELPER_RECIPE_SHA256';

/** The bytes a helper's recipe must be: as read from its file (its text for a recipe with no file). */
function recipeDigest(source: SourceFile): string {
  return sha256Hex(source.bytes ?? source.text);
}

/**
 * A helper pvm reads the recipe again by its path: one changed since the run began (even one signed as well) is
 * refused, and the pvm that started this helper runs its processes itself.
 */
export function refuseChangedRecipe(source: SourceFile): void {
  const expected = process.env[HELPER_RECIPE_VARIABLE];
  if (expected !== undefined && recipeDigest(source) !== expected) {
    throw new UsageError('recipe-changed', `recipe '${source.name}' changed after the run began; this helper pvm runs none of its processes`, { hint: 'the run goes on with the recipe it began with, in the pvm that started it' });
  }
}

/**
 * What a process's run that threw `error` shows: pvm's error (its JSON line with --json, and on stderr) with its
 * exit status, or, for anything else, a crash of pvm (exit 70) that ends this process's run, not the others'.
 */
export function endedBy(error: unknown, json: boolean): { exit: ExitCode; stdout: string[]; stderr: string[]; failure: PvmError | undefined } {
  if (!(error instanceof PvmError)) {
    return { exit: 70 as ExitCode, stdout: [], stderr: [`pvm: internal error (a bug in pvm, please report it): ${(error as Error)?.stack ?? String(error)}`], failure: undefined };
  }
  return { exit: error.exit, stdout: json ? [formatErrorJson(error)] : [], stderr: [formatError(error)], failure: error };
}

/**
 * One process's block: its lines, each JSON line naming the pid; stderr lines prefixed with it. Its stdout is
 * one write where it can be (a fleet patch's three lines were three, each waking the reader: ~0.2 ms a process
 * on a busy machine).
 */
export function show(result: Finished, json: boolean, out: Out): void {
  const { pid, exit } = result;
  const lines: string[] = [];
  if (json) {
    for (const text of result.stdout) for (const line of text.split('\n')) lines.push(line.replace(/^\{("type":"[^"]*")/, `{$1,"pid":${pid}`));
  } else {
    lines.push(`== pid ${pid} (${result.comm}): ${exit === 0 ? 'ok' : `exit ${exit}`} ==`, ...result.stdout);
  }
  const target = json ? JSON.stringify({ type: 'target', pid, status: exit === 0 ? 'ok' : 'failed', exit }) : undefined;
  // Its stderr lines come between its output and its `target` line, as they always have.
  if (result.stderr.length === 0 && target !== undefined) lines.push(target);
  if (lines.length > 0) out(lines.join('\n'));
  for (const text of result.stderr) process.stderr.write(`${text.replace(/^(?=.)/gm, `pid ${pid}: `)}\n`);
  if (result.stderr.length > 0 && target !== undefined) out(target);
}

/** A helper's life (helper-pool.ts): each pid it is given run with the prepared recipe, sharing its ELF parses. */
export async function serveRunAsHelper(prepared: PreparedRun<RunCommand>): Promise<void> {
  const elfFiles = new ElfFiles();
  try {
    await serveAsHelper((pid) => runHere(prepared, pid, elfFiles));
  } finally {
    elfFiles.close();
  }
}

/** A process's name (comm), or 'exited' when it is gone. */
export function commOf(pid: number): string {
  return attempt(() => readProcText(`/proc/${pid}/comm`, 'utf8').trim()) ?? 'exited';
}
