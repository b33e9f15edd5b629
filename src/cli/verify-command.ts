// `pvm verify REPORT [TARGET]` (docs/forensics.md): a report re-checked on
// its evidence. The report's recipe (its text, kept in the report, or its
// file when the report left the text out) is run again with the report's
// args on the core the report names, or on TARGET, writing a report of its
// own; the two `results` are then compared field by field. The recipe and
// the core must be the ones the report names (their sha256), or nothing
// runs. A recipe that writes is run as a dry run: verify never writes. Under
// a policy's recipes.signers the rerun is a run like any other: the recipe's
// signature must hold (the one the report recorded, or RECIPE.sig). A
// report of many processes is verified section by section, each on the
// process its pid names.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { count } from '../count.ts';
import { sha256Hex } from '../digest.ts';
import { Exit, type ExitCode, PvmError, TargetError, UsageError } from '../errors.ts';
import { readBoundedFile } from '../regular-file.ts';
import type { SourceFile } from '../dsl/source.ts';
import type { Command, RunCommand, TargetSpec } from './args.ts';
import { type Difference, differences, unchecked } from './report-compare.ts';
import { readAnyReportFile, readReportFile, type ReportResults, type ReportSection } from './report-file.ts';
import { fileDigest } from '../api/report.ts';

type VerifyCommand = Extract<Command, { kind: 'verify' }>;

export async function verifyReport(command: VerifyCommand, out: (text: string) => void): Promise<ExitCode> {
  const report = readAnyReportFile(command.report, refusal(command.report));
  if (report.sections !== undefined) return verifySections(report.sections, command, out);
  const claimed = report.results;
  const source = recipeOf(claimed, command.report);
  const target = command.target ?? evidenceOf(claimed, command.report);
  const found = await verifyResults(claimed, source, target, command);
  if (command.json) out(verdictJson(found));
  else out(describeVerdict(claimed, found));
  return found.match ? Exit.ok : Exit.assertion;
}

/**
 * A report of many processes (pvm run --match --report): each section
 * verified as a report of its process alone, on the process its pid names
 * now (a pid reused since shows in the start time compared); a section of a
 * process that never ran has nothing to verify, and says so.
 */
async function verifySections(sections: readonly ReportSection[], command: VerifyCommand, out: (text: string) => void): Promise<ExitCode> {
  if (command.target !== undefined) {
    throw new UsageError('usage', `${command.report} is a report of ${count(sections.length, 'process')}: pvm verify reruns each section on the process it names, and takes no target`, {
      hint: `pvm verify ${command.report}, without --pid, --name, --core or --snapshot`,
    });
  }
  let match = true;
  for (const section of sections) {
    if (section.results === null) {
      const why = section.error === null || section.error === undefined ? `exit ${section.exit ?? 'unknown'}` : `${section.error.code}: ${section.error.message}`;
      out(command.json ? JSON.stringify({ type: 'verify', pid: section.pid, match: null, reason: why }) : `pid ${section.pid}: not run (${why}): nothing to verify`);
      continue;
    }
    const found = await verifyResults(section.results, recipeOf(section.results, command.report), { kind: 'pid', pid: section.pid }, command);
    match &&= found.match;
    if (command.json) out(verdictJson(found, section.pid));
    else out(`pid ${section.pid}: ${describeVerdict(section.results, found)}`);
  }
  return match ? Exit.ok : Exit.assertion;
}

/** What a verify finds: the report's results against a rerun's on `target`. */
interface Verdict {
  readonly match: boolean;
  readonly differences: Difference[];
  readonly beforeNotChecked: number;
  readonly policiesDiffer: boolean;
  /** The rerun's results. */
  readonly found: ReportResults;
}

/** Reruns the report's recipe on `target` and compares the two results. */
async function verifyResults(claimed: ReportResults, source: SourceFile, target: TargetSpec, command: VerifyCommand): Promise<Verdict> {
  const { recipeWrites } = await import('../dsl/recipe-writes.ts');
  const writes = await recipeWrites(source);
  if (target.kind === 'core') {
    if (writes) {
      throw new UsageError('usage', `the recipe of ${command.report} writes memory: pvm verify reruns it as a dry run, which needs the live process, and a core can only be read`, {
        hint: `pvm verify ${command.report} --pid N (nothing is written)`,
      });
    }
    checkEvidence(claimed, target.path, command.report);
  }
  const found = await rerun(claimed, source, target, writes, command);
  const differ = differences(claimed, found);
  // A policy can withhold what the report records (a module's build-id it may not read): said, not compared.
  const policies = (results: ReportResults) => JSON.stringify((results.policies ?? []).map((p) => (p as { sha256?: unknown }).sha256));
  return { match: differ.length === 0, differences: differ, beforeNotChecked: unchecked(claimed), policiesDiffer: policies(claimed) !== policies(found), found };
}

/** The verdict's --json line (with the pid of its section, in a report of many processes). */
function verdictJson({ match, differences, beforeNotChecked, policiesDiffer }: Verdict, pid?: number): string {
  return JSON.stringify({ type: 'verify', ...(pid === undefined ? {} : { pid }), match, differences, beforeNotChecked, policiesDiffer });
}

function describeVerdict(claimed: ReportResults, verdict: Verdict): string {
  const { differences: differ, beforeNotChecked: notChecked } = verdict;
  const lines = [differ.length === 0 ? `match: ${summary(verdict.found)}` : [`differs in ${differ.length === 1 ? '1 field' : `${differ.length} fields`}:`, ...differ.map(describe)].join('\n')];
  if (notChecked > 0) lines.push(`not checked: the bytes ${notChecked === 1 ? '1 write or patch' : `${notChecked} writes and patches`} found before writing (the evidence holds what was written)`);
  if (verdict.policiesDiffer) lines.push(`note: the report ran under other policies than this rerun (${describePolicies(claimed)}); what a policy withholds (a module's build-id) may differ: verify with the same --policy`);
  return lines.join('\n');
}

function refusal(path: string): (why: string, fix?: string) => Error {
  return (why, fix) => new UsageError('bad-report', `cannot verify ${path}: ${why}`, { hint: fix ?? 'give a report written by pvm run --report FILE' });
}

/** The report's `results`, refused (exit 2) when the file is not a pvm report pvm can read. */
function readReport(path: string): ReportResults {
  return readReportFile(path, refusal(path)).results;
}

/** The recipe the report ran: its text as kept in the report, or its file; either must have the sha256 the report records. */
function recipeOf(claimed: ReportResults, reportPath: string): SourceFile {
  const { name, sha256, text } = claimed.recipe;
  let recipe = text;
  if (recipe === undefined) {
    if (name.startsWith('<')) throw new UsageError('bad-report', `${reportPath} left the recipe's text out, and its recipe was ${name}, not a file`, { hint: 'a report of -e or stdin recipe can be verified only with the text in it' });
    recipe = readBoundedFile(
      name,
      4 << 20,
      ({ why }) => new UsageError('recipe-unreadable', `${reportPath} left the recipe's text out, and its file ${name} cannot be read: ${why}`, { hint: 'run pvm verify where the recipe is, as the report names it' }),
    );
  }
  const digest = sha256Hex(recipe);
  if (digest !== sha256) {
    // The digest of a file the report names is not shown: a report could name any file.
    throw new UsageError('report-mismatch', `the recipe ${text === undefined ? `file ${name}` : `text in ${reportPath}`} is not the recipe the report ran: its sha256 is not the ${sha256} the report records`, {
      hint: text === undefined ? 'give the recipe file the report was made with' : 'the report was changed after pvm wrote it: verify the original',
    });
  }
  // What a signature of it covers (policies with recipes.signers): a recipe that was a file is its text's bytes.
  return { name, text: recipe, bytes: name.startsWith('<') ? undefined : Buffer.from(recipe) };
}

/**
 * The core the report was made from, when it was made from one (a live run
 * needs a TARGET): its path as given when it ran, from here, or else from
 * the report's directory (a report and its evidence sent together).
 */
function evidenceOf(claimed: ReportResults, reportPath: string): TargetSpec {
  const core = claimed.target.core;
  if (core === undefined) {
    throw new UsageError('usage', `${reportPath} was made from a live process: name the evidence to verify it on`, { hint: `pvm verify ${reportPath} --snapshot FILE, --core FILE or --pid N` });
  }
  const beside = isAbsolute(core.file) ? core.file : join(dirname(reportPath), core.file);
  const path = existsSync(core.file) ? core.file : existsSync(beside) ? beside : undefined;
  if (path === undefined) {
    throw new UsageError('core-unreadable', `cannot open ${core.file}, the core ${reportPath} was made from: it is neither here nor beside the report`, {
      hint: `give it: pvm verify ${reportPath} --snapshot FILE (or --core FILE)`,
    });
  }
  return { kind: 'core', path, snapshot: false };
}

/** The core given must be the file the report records (its sha256), when the report records one: other evidence is refused before anything runs. */
function checkEvidence(claimed: ReportResults, path: string, reportPath: string): void {
  const recorded = claimed.target.core?.sha256;
  if (recorded === undefined) return; // a live run verified on a snapshot: its results say whether the memory is the same
  const digest = fileDigest(path);
  if (digest !== recorded) {
    throw new TargetError('evidence-mismatch', `${path} is not the evidence ${reportPath} was made from: its sha256 is ${digest}, the report records ${recorded} (${claimed.target.core!.file})`, {
      hint: 'give the core or snapshot the report names; to re-check other evidence on purpose, copy the report and remove its target.core',
    });
  }
}

/** Runs the recipe again, as the report ran it, with a report of its own; gives that report's results. */
async function rerun(claimed: ReportResults, source: SourceFile, target: TargetSpec, writes: boolean, command: VerifyCommand): Promise<ReportResults> {
  const { prepareRun, runPrepared } = await import('../api/run-recipe.ts');
  const dir = mkdtempSync(join(tmpdir(), 'pvm-verify-'));
  const report = join(dir, 'report.json');
  try {
    const run: RunCommand = {
      kind: 'run',
      recipe: { kind: 'inline', text: source.text },
      target,
      args: argsOf(claimed.args),
      allowWrite: false,
      json: true,
      verbose: false,
      // Never a write: what a writing recipe would write is compared instead.
      writing: { dryRun: writes, freeze: false, journal: undefined, journalSync: 'each' },
      report,
      reportWithoutRecipe: false,
      policy: command.policy,
      quietStdout: true,
    };
    // Under recipes.signers, the signature the report recorded is checked again (else RECIPE.sig beside the recipe's file).
    const signature = claimed.recipe.signature === undefined ? undefined : { text: claimed.recipe.signature, from: `the signature recorded in ${command.report}` };
    const prepared = await prepareRun(run, source, { oneTarget: true, signature });
    try {
      await runPrepared(prepared, target, { event: () => {} }); // its report keeps the events
    } catch (error) {
      // The run's own errors are in its report, to be compared with the report's; anything else is verify's.
      if (!(error instanceof PvmError) || error.code === 'report-unwritable') throw error;
    } finally {
      prepared.close();
    }
    return readReport(report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The report's args as `--arg NAME=VALUE`, as --json wrote them: a number or
 * an address as its text, a list as its items joined by commas, a text as it
 * is (`@@` before one that starts with `@`, which would name a file).
 */
function argsOf(args: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(args).map(([name, value]) => {
    const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
    return `${name}=${typeof value === 'string' && text.startsWith('@') ? `@${text}` : text}`;
  });
}

function describePolicies(results: ReportResults): string {
  const files = (results.policies ?? []).map((p) => String((p as { file?: unknown }).file));
  return files.length === 0 ? 'none' : files.join(', ');
}

function summary(results: ReportResults): string {
  const events = Array.isArray(results.events) ? results.events.length : 0;
  const reads = Array.isArray(results.reads) ? results.reads.length : 0;
  return `the recipe found the same on this evidence (${events === 1 ? '1 event' : `${events} events`}, ${reads === 1 ? '1 range read' : `${reads} ranges read`}, exit ${String(results.exit)})`;
}

function describe(d: Difference): string {
  return `  ${d.field}: the report has ${JSON.stringify(d.report)}, the evidence gives ${JSON.stringify(d.evidence)}`;
}
