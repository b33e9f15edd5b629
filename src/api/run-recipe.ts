// The one way a recipe runs, for the API (open.ts) and the command line
// (`pvm run`, `-e`, a run over many, `--follow`, `pvm verify`) alike: the
// recipe compiled, its params bound, the policies and the write grant judged
// and the journal opened once (prepareRun); then the recipe run against a
// target (runPrepared), once for one target, or for each process of a run
// over many. Nothing here prints: events go to the sink the caller gives,
// which shows them as it will (lines for people, JSON lines, objects).
import { toHex } from '../bytes.ts';
import { DeniedError, Exit, PvmError } from '../errors.ts';
import type { OutputEvent } from '../runtime/execute.ts';
import { MAX_OUTPUT_CHARS } from '../limits.ts';
import type { SourceFile } from '../dsl/source.ts';
import type { Plan } from '../plan/plan.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import type { RecipeSigner, RecipeToVerify } from '../policy/recipe-signature.ts';
import type { SmapsText } from '../target/smaps-ahead.ts';
import type { ElfFiles } from '../runtime/symbols/elf-files.ts';
import type { Value } from '../runtime/evaluation/value.ts';
import type { RunRequest, TargetSpec, WritingOptions } from './request.ts';
import type { JournalFile } from './journal-file.ts';
import type { AuditFile } from './audit-file.ts';
import type { ReportRecorder } from './report.ts';
import type { JournalEntry } from '../runtime/journal/journal.ts';
import type { ScanProgress } from '../runtime/scans/scan.ts';
import { debugDirectories, openSession, scanWorkers, type Session, wasmLoopsFrom } from './session.ts';

/** A run made ready: `command` is the request as its caller made it (the command line's carries how to show it). */
export interface PreparedRun<Request extends RunRequest = RunRequest> {
  readonly command: Request;
  readonly source: SourceFile;
  /**
   * The plan and its params; undefined when the recipe names types from debug info, which only the target
   * gives: runPrepared then compiles it for each target, once it is open, and judges it before it runs.
   */
  readonly plan: Plan | undefined;
  readonly params: ReadonlyMap<string, Value> | undefined;
  readonly policies: readonly LoadedPolicy[];
  /** Who signed the recipe, when a policy lists signers (recipes.signers): the journal, the audit log and the report record it. */
  readonly signer: RecipeSigner | undefined;
  /** --journal, open for appending (one file for every process of a run over many). */
  readonly journal: JournalFile | undefined;
  /** smaps of process `pid`, being read since the policies were known (see prepareRun), once; then undefined. */
  takeSmaps(pid: number | undefined): Promise<SmapsText | undefined> | undefined;
  close(): void;
}

/** Where a run's events go, and what else its caller wants of it. */
export interface RunSinks {
  /**
   * Each event as the run makes it. Before it shows the event, the sink spends the characters it takes: past the
   * run's output budget, `spend` throws, and the event is not shown.
   */
  readonly event: (event: OutputEvent, spend: (chars: number) => void) => void;
  /** Where a scan reports its progress, asked only by a run that scans (undefined: none is drawn). */
  readonly progress?: () => ((update: ScanProgress & { readonly line: number }) => void) | undefined;
  /** ELF parses shared between the processes of a run over many. */
  readonly elfFiles?: ElfFiles | undefined;
  /** Journal a patch found already applied (execute.ts journalFoundApplied): `--follow`'s forks. */
  readonly journalFoundApplied?: boolean;
  /** Told how many entries the run journaled (`--follow`: a fork of a process holding them inherits them). */
  readonly journaled?: (entries: number) => void;
}

/**
 * Every usage problem, a write that is not allowed and anything the policy denies are found here, before any target is touched.
 * `oneTarget`: the run is against `command.target` alone (not a run over many, where each process's start would start
 * a worker, nor a helper of one). `signature`: the recipe's, given (pvm verify: the one its report recorded), not RECIPE.sig.
 */
export async function prepareRun<Request extends RunRequest>(command: Request, source: SourceFile, options: { readonly oneTarget?: boolean; readonly signature?: RecipeToVerify['signature'] } = {}): Promise<PreparedRun<Request>> {
  const policies = await (await import('../policy/system.ts')).loadPolicies(command.policy.file);
  // A recipe the policies' signers did not sign is refused before it is even compiled.
  const signer = policies.some((p) => p.policy.recipes !== undefined) ? (await import('../policy/recipe-signature.ts')).requireSignedRecipe(policies, { name: source.name, bytes: source.bytes, signature: options.signature }) : undefined;
  const plan = await (await import('../dsl/compile-recipe.ts')).compileBeforeTarget(source);
  if (plan === undefined) await refuseWritesBeforeTarget(source, command);
  const params = plan === undefined ? undefined : await bindRunParams(plan, command);
  // What a run against one --pid target will need is started, where the policies let work start before they judge
  // the target (refusals.ts mayWorkBeforeJudging), as soon as they are known, to be ready behind the imports and the
  // open, on other threads:
  // - smaps, for batches and scans (walk.ts readsSmaps): 12-17 ms of kernel time on the bench's 1.5 GiB target;
  // - a large scan's worker thread (target/scan-worker/), which takes 40-90 ms to start. Second: making one holds
  //   this thread for 5-80 ms (Deno's node:worker_threads the most, 36-80), while the smaps read goes on.
  const { hasLargeScan, PARALLEL_BYTES, readsSmaps } = await import('../plan/walk.ts');
  const { judgePlan, mayWorkBeforeJudging, writesUnallowed } = await import('../policy/refusals.ts');
  const target = command.target;
  // Not for a run judgePlan refuses (a write without --allow-write): it would wait for them to end.
  const ahead = plan !== undefined && options.oneTarget === true && target.kind === 'pid' && mayWorkBeforeJudging(policies) && !writesUnallowed(plan, command) ? target.pid : undefined;
  let smaps = ahead !== undefined && readsSmaps(plan!.steps) ? { pid: ahead, text: (await import('../target/smaps-ahead.ts')).readSmapsAhead(ahead) } : undefined;
  // The process must hold that much: a scan reads only resident pages.
  if (ahead !== undefined && scanWorkers.use && hasLargeScan(plan!.steps)) (await import('../target/scan-worker/start-worker.ts')).warmScanWorker(ahead, PARALLEL_BYTES);
  if (plan !== undefined) await judgePlan(plan, policies, command);
  const journal = await journalFor(command.writing);
  const takeSmaps = (pid: number | undefined) => {
    const taken = smaps?.pid === pid ? smaps?.text : undefined;
    if (taken !== undefined) smaps = undefined; // text this old must not serve a later run
    return taken;
  };
  return { command, source, plan, params, policies, signer, journal, takeSmaps, close: () => journal?.close() };
}

/**
 * A recipe whose plan waits for the target's types is refused before any target is opened for what its
 * statements alone tell: it writes without --allow-write, or to a core (the policy judges its plan once made).
 */
async function refuseWritesBeforeTarget(source: SourceFile, command: RunRequest): Promise<void> {
  const outline = { recipe: { name: source.name, sha256: '' }, writes: await (await import('../dsl/recipe-writes.ts')).recipeWrites(source) };
  const { readOnlyRefusal, writeRefusal, writesUnallowed } = await import('../policy/refusals.ts');
  if (outline.writes && command.target.kind === 'core') throw readOnlyRefusal(outline, command.target.path);
  if (writesUnallowed(outline, command)) throw writeRefusal(outline);
}

/** The prepared plan, or one made now with the target's types (a recipe that names types from debug info), judged before it runs. */
async function planFor(prepared: PreparedRun, session: Session): Promise<{ plan: Plan; params: ReadonlyMap<string, Value> }> {
  if (prepared.plan !== undefined && prepared.params !== undefined) return { plan: prepared.plan, params: prepared.params };
  const { compileRecipe } = await import('../dsl/compile-recipe.ts');
  const { plan } = await compileRecipe(prepared.source, { types: await session.types() });
  const params = await bindRunParams(plan, prepared.command);
  await (await import('../policy/refusals.ts')).judgePlan(plan, prepared.policies, prepared.command);
  return { plan, params };
}

async function bindRunParams(plan: Plan, command: RunRequest): Promise<ReadonlyMap<string, Value>> {
  const { bindParams, parseArgPairs } = await import('../runtime/params.ts');
  return bindParams(plan, parseArgPairs(command.args));
}

/** --journal, opened for appending before the target is touched; none for a dry run, which writes nothing. */
export async function journalFor(writing: WritingOptions): Promise<JournalFile | undefined> {
  return writing.journal === undefined || writing.dryRun ? undefined : (await import('./journal-file.ts')).openJournal(writing.journal, writing.journalSync);
}

/** Runs a prepared recipe against one target; throws its PvmError (the caller shows it and takes its exit status). */
export async function runPrepared(prepared: PreparedRun, targetSpec: TargetSpec, sinks: RunSinks): Promise<void> {
  const { command, policies, journal } = prepared;
  // Batches and scans need smaps (walk.ts readsSmaps): for a --pid target it is read from now on (or since prepareRun),
  // behind the imports and the open (refusals.ts mayWorkBeforeJudging: under a policy, not before it has judged the
  // target). A plan still to be made (types from the target) may need it.
  const walk = await import('../plan/walk.ts');
  const readsSmaps = prepared.plan === undefined || walk.readsSmaps(prepared.plan.steps);
  const pid = targetSpec.kind === 'pid' ? targetSpec.pid : undefined;
  const mayReadAhead = readsSmaps && pid !== undefined && (await import('../policy/refusals.ts')).mayWorkBeforeJudging(policies);
  const smaps = prepared.takeSmaps(pid) ?? (mayReadAhead ? (await import('../target/smaps-ahead.ts')).readSmapsAhead(pid) : undefined);
  const { execute } = await import('../runtime/execute.ts');
  const { policyLimits } = await import('../policy/apply.ts');
  const reports = command.report === undefined ? undefined : await import('./report.ts');
  if (command.report !== undefined) reports!.checkReportPath(command.report); // before a program is started or a target opened
  const session = await openSession(targetSpec, policies, command.policy.audit, { quietStdout: command.quietStdout, elfFiles: sinks.elfFiles, readsSmaps, smaps });
  const target = session.target;
  let report: ReportRecorder | undefined;
  try {
    for (const rule of prepared.signer?.rules ?? []) session.audit?.append({ op: 'recipe', allowed: true, rule, detail: `${prepared.source.name} signed by ${prepared.signer!.fingerprint} (${prepared.signer!.kind})` });
    const { plan, params } = await planFor(prepared, session);
    report = command.report === undefined
      ? undefined
      : reports!.recordReport(command.report, plan, params, target, targetSpec.kind === 'core' ? targetSpec.path : undefined, policies, command.reportWithoutRecipe ? undefined : prepared.source.text, prepared.signer);
    // A scan reports its progress only to a caller that draws it: reporting after each call cost ~4 µs a call of
    // cold JavaScript (~4 ms a GiB) for nothing.
    const progress = walk.hasScan(plan.steps) ? sinks.progress?.() : undefined;
    /** What the run has printed, against MAX_OUTPUT_CHARS (which bounds its report's events too). */
    let printed = 0;
    const spend = (chars: number, line: number | undefined) => {
      printed += chars;
      if (printed > MAX_OUTPUT_CHARS) {
        throw new DeniedError('output-budget', `the recipe printed more than ${MAX_OUTPUT_CHARS} characters (256 MiB)`, {
          where: `${plan.recipe.name}:${line ?? 0}`,
          line,
          hint: 'print less: a summary (len, min, max), a slice of a list, or a dump of what matters',
        });
      }
    };
    execute({
      plan,
      target,
      params,
      limits: policyLimits(policies),
      allowWrite: command.allowWrite,
      dryRun: command.writing.dryRun,
      freeze: command.writing.freeze,
      journal: recordWrites(journal, session.audit, report, prepared.signer?.fingerprint, sinks.journaled),
      journalFile: journal !== undefined,
      journalFoundApplied: sinks.journalFoundApplied,
      onRead: report?.read,
      progress,
      debugDirectories: debugDirectories(),
      elfFiles: sinks.elfFiles,
      wasmLoopsFrom: wasmLoopsFrom(),
      output: (event) => {
        report?.event(event);
        sinks.event(event, (chars) => spend(chars, event.line));
      },
    });
    report?.finish(undefined, Exit.ok);
  } catch (error) {
    // A report-unwritable error has abandoned its report already; any other pvm error is recorded, a crash is not.
    if (error instanceof PvmError && error.code !== 'report-unwritable') report?.finish(error, error.exit);
    else report?.abandon();
    throw error;
  } finally {
    session.close();
    await session.afterwards();
  }
}

/**
 * What a run does with the sites it is about to write: the journal (synced
 * first, each entry naming the recipe's signer when a policy verified one), the report, and the audit log;
 * undefined when none of them is kept.
 */
export function recordWrites(
  journal: JournalFile | undefined,
  audit: AuditFile | undefined,
  report?: { write(entry: JournalEntry): void },
  signer?: string,
  journaled?: (entries: number) => void,
): ((entries: readonly JournalEntry[]) => void) | undefined {
  if (journal === undefined && audit === undefined && report === undefined) return undefined;
  return (entries) => {
    journal?.append(signer === undefined ? entries : entries.map((entry) => ({ ...entry, recipe: { name: entry.recipe.name, sha256: entry.recipe.sha256, signer } })));
    if (journal !== undefined) journaled?.(entries.length);
    for (const entry of entries) {
      if (entry.alreadyApplied === true) continue; // journaled to be revertible; nothing was written
      report?.write(entry);
      audit?.append({
        op: entry.statement === 'patch' ? 'write-code' : 'write',
        allowed: true,
        start: entry.address,
        end: entry.address + BigInt(entry.new.length),
        bytes: entry.new.length,
        detail: `${entry.statement} at line ${entry.line}: ${entry.old.length === entry.new.length ? toHex(entry.old) : '(withheld by the policy)'} -> ${toHex(entry.new)}`,
      });
    }
  };
}
