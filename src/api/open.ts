// open(): a target for recipes, as `pvm run` names one (--pid, --name,
// --core, --snapshot, --match), and its runs. A run is the command line's
// run (run-recipe.ts: the same compile, policies, guard and journal), its
// events the objects `--json` prints. With `match`, each run visits every
// process the selector matches then, one after another, as `pvm run
// --match` does: one process's failure is its `error` and `target` events,
// and the run goes on.
import { Exit, type ExitCode, mostSerious, PvmError, UsageError } from '../errors.ts';
import { processIdentity } from '../target/process-identity.ts';
import { noProcessMatches, parseSelector, type Selector, selectProcesses } from '../target/select-processes.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { errorEvents, eventJson, type JsonValue, type PvmEvent, withPid } from './events.ts';
import { type Recipe, sourceOf } from './recipe-source.ts';
import type { TargetSpec } from './request.ts';
import { requestOf, type RunOptions } from './run-options.ts';
import { type PreparedRun, prepareRun, runPrepared } from './run-recipe.ts';

/** What open() takes: one target, as the command line names it (exactly one of the keys). */
export type TargetOptions =
  | { readonly pid: number; readonly name?: never; readonly core?: never; readonly snapshot?: never; readonly match?: never }
  | { readonly name: string; readonly pid?: never; readonly core?: never; readonly snapshot?: never; readonly match?: never }
  | { readonly core: string; readonly pid?: never; readonly name?: never; readonly snapshot?: never; readonly match?: never }
  | { readonly snapshot: string; readonly pid?: never; readonly name?: never; readonly core?: never; readonly match?: never }
  /** Every process the selector matches when a run begins (`--match`: `build-id=HEX,uid=N`, …). */
  | { readonly match: string; readonly pid?: never; readonly name?: never; readonly core?: never; readonly snapshot?: never };

/** How a run ended. */
export interface RunResult {
  /** Every event, in order. */
  readonly events: readonly PvmEvent[];
  /** The last value of each `emit` name (one target; with `match`, each process's are in `processes`). */
  readonly results: Readonly<Record<string, JsonValue>>;
  /** With `match`: each process visited, in order, with its exit status and its results. */
  readonly processes?: readonly { readonly pid: number; readonly exit: ExitCode; readonly results: Readonly<Record<string, JsonValue>> }[];
  /** 0; with `match`, the most serious of the processes' exit statuses. */
  readonly exit: ExitCode;
}

/**
 * A run under way, begun when run() returns: a promise of its result (await it, or then/catch/finally), and an
 * iterable of its events (each iterator yields them all from the first; it throws the run's PvmError after the
 * events before it). Leaving an iteration early does not stop the run.
 */
export interface RecipeRun extends Promise<RunResult>, AsyncIterable<PvmEvent> {}

export interface Target {
  /** What was opened, as the command line would name it: `--pid 4242`. */
  readonly description: string;
  /** Runs a recipe against the target; it begins at once. */
  run(recipe: Recipe, options?: RunOptions): RecipeRun;
  /** Releases what the target holds (ELF files parsed for its runs) once the runs under way end; a run after it is refused. */
  close(): void;
}

/**
 * Names a target. A pid must exist and a selector must parse now; a core is opened, and a process judged by the
 * policies, by each run (a run's policy may differ).
 */
export function open(options: TargetOptions): Promise<Target> {
  try {
    return Promise.resolve(new OpenTarget(targetOf(options), describeOptions(options)));
  } catch (error) {
    return Promise.reject(error); // a promise's error, as from any async call, never a throw
  }
}

type OpenSpec = { readonly one: TargetSpec } | { readonly many: Selector };

function targetOf(options: TargetOptions): OpenSpec {
  if (typeof options !== 'object' || options === null) throw openError('open() takes one target, e.g. { pid: 4242 }');
  const keys = Object.keys(options);
  const known = ['pid', 'name', 'core', 'snapshot', 'match'];
  if (keys.length !== 1 || !known.includes(keys[0]!)) throw openError(`open() takes one target of ${known.join(', ')}; it was given ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  if (options.pid !== undefined) {
    const pid: unknown = options.pid;
    if (typeof pid !== 'number') throw openError(`open({ pid }) takes a number, not ${JSON.stringify(pid)}`);
    processIdentity(pid); // a pid that is no process (exit 4), or pvm's own (exit 3): now
    return { one: { kind: 'pid', pid } };
  }
  if (options.name !== undefined) return { one: { kind: 'name', name: nonEmpty(options.name, 'name') } };
  if (options.core !== undefined) return { one: { kind: 'core', path: nonEmpty(options.core, 'core'), snapshot: false } };
  if (options.snapshot !== undefined) return { one: { kind: 'core', path: nonEmpty(options.snapshot, 'snapshot'), snapshot: true } };
  return { many: parseSelector(nonEmpty(options.match, 'match')) };
}

function nonEmpty(value: unknown, key: string): string {
  if (typeof value !== 'string' || value === '') throw openError(`open({ ${key} }) needs a non-empty string`);
  return value;
}

function openError(message: string): UsageError {
  return new UsageError('usage', message, { hint: "open({ pid: 4242 }), open({ core: 'app.core' }), open({ snapshot: 'app.snap' }), open({ match: 'build-id=…' })" });
}

function describeOptions(options: TargetOptions): string {
  const [[key, value]] = Object.entries(options) as [[string, unknown]];
  return `--${key} ${String(value)}`;
}

class OpenTarget implements Target {
  readonly #spec: OpenSpec;
  readonly description: string;
  /** ELF files parsed once for every run and process (as a run over many shares them). */
  readonly #elfFiles = new ElfFiles();
  #closed = false;
  /** Runs under way: close() releases the ELF files once they end. */
  #running = 0;

  constructor(spec: OpenSpec, description: string) {
    this.#spec = spec;
    this.description = description;
  }

  run(recipe: Recipe, options: RunOptions = {}): RecipeRun {
    if (this.#closed) return startRun(() => Promise.reject(new UsageError('usage', `run(): the target ${this.description} was closed`, { hint: 'open() it again' })));
    this.#running++;
    const elfFiles = this.#elfFiles;
    const spec = this.#spec;
    return startRun(async (emit) => {
      try {
        const source = sourceOf(recipe, 'run');
        if ('one' in spec) {
          const prepared = await prepareRun(requestOf(spec.one, options), source, { oneTarget: true });
          try {
            await runPrepared(prepared, spec.one, { ...jsonEvents(emit, undefined), elfFiles });
          } finally {
            prepared.close();
          }
          return undefined;
        }
        if (options.report !== undefined) {
          throw new UsageError('usage', "run(): report is one target's report; a target opened with match is many", { hint: 'open each process with { pid } for a report of its own, or use pvm run --match --report' });
        }
        // Judged once (the policies, the write grant), before any process is touched; the pid stands for each of them.
        const prepared = await prepareRun(requestOf({ kind: 'pid', pid: 1 }, options), source);
        try {
          return await runEach(prepared, spec.many, elfFiles, emit);
        } finally {
          prepared.close();
        }
      } finally {
        if (--this.#running === 0 && this.#closed) elfFiles.close();
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#running === 0) this.#elfFiles.close();
  }
}

/** Each process the selector matches now, one after another; every process's events carry its pid. */
async function runEach(prepared: PreparedRun, selector: Selector, elfFiles: ElfFiles, emit: (event: PvmEvent) => void): Promise<NonNullable<RunResult['processes']>> {
  const pids = selectProcesses(selector, process.pid);
  if (pids.length === 0) throw noProcessMatches(selector);
  const processes: { pid: number; exit: ExitCode; results: Record<string, JsonValue> }[] = [];
  for (const pid of pids) {
    const results: Record<string, JsonValue> = {};
    const emitOne = (event: PvmEvent) => {
      if (event.type === 'emit') results[event.name] = event.value;
      emit(event);
    };
    let exit: ExitCode = Exit.ok;
    try {
      await runPrepared(prepared, { kind: 'pid', pid }, { ...jsonEvents(emitOne, pid), elfFiles });
    } catch (error) {
      if (!(error instanceof PvmError)) throw error; // a bug in pvm: the run ends, loudly
      for (const event of errorEvents(error)) emit(withPid(event, pid));
      exit = error.exit;
    }
    processes.push({ pid, exit, results });
    emit({ type: 'target', pid, status: exit === Exit.ok ? 'ok' : 'failed', exit });
  }
  const exits = processes.map((p) => p.exit);
  const failed = exits.filter((exit) => exit !== Exit.ok).length;
  emit({ type: 'summary', processes: exits.length, ok: exits.length - failed, failed, exit: mostSerious(exits), helpers: 0, helped: 0 });
  return processes;
}

/** The sink that makes each event its JSON object, counted against the output budget as `--json` counts its line. */
function jsonEvents(emit: (event: PvmEvent) => void, pid: number | undefined) {
  return {
    event(event: Parameters<typeof eventJson>[0], spend: (chars: number) => void) {
      const json = eventJson(event);
      spend(JSON.stringify(json).length + 1);
      emit(pid === undefined ? json : withPid(json, pid));
    },
  };
}

/**
 * A run begun now, its events kept in order for whoever iterates and for the result. The run itself holds the
 * thread while it reads and writes (its syscalls are synchronous), so its events arrive in bursts between awaits.
 * `body` gives the processes of a run over many, or undefined for one target.
 */
function startRun(body: (emit: (event: PvmEvent) => void) => Promise<RunResult['processes']>): RecipeRun {
  const events: PvmEvent[] = [];
  /** Iterators waiting for the next event, or for the end. */
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resume of woken) resume();
  };
  const emit = (event: PvmEvent) => {
    events.push(event);
    wake();
  };
  let settled = false;
  const ended = body(emit);
  ended.then(() => (settled = true), () => (settled = true)).finally(wake);
  const result = ended.then((processes): RunResult => processes === undefined ? { events, results: resultsOf(events), exit: Exit.ok } : { events, results: {}, processes, exit: mostSerious(processes.map((p) => p.exit)) });
  result.catch(() => {}); // a run only iterated is no unhandled rejection: its iterator throws the error
  return Object.assign(result, {
    async *[Symbol.asyncIterator](): AsyncGenerator<PvmEvent, void, undefined> {
      let next = 0;
      for (;;) {
        while (next < events.length) yield events[next++]!;
        if (settled) break;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      await ended; // the run's error, after the events before it
    },
  });
}

/** The last value of each emitted name. */
function resultsOf(events: readonly PvmEvent[]): Record<string, JsonValue> {
  const results: Record<string, JsonValue> = {};
  for (const event of events) if (event.type === 'emit') results[event.name] = event.value;
  return results;
}
