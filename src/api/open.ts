// open(): a target for recipes, as `pvm run` names one (--pid, --name,
// --core, --snapshot, --match), and its runs. A run is the command line's
// run (run-recipe.ts: the same compile, policies, guard and journal), its
// events the objects `--json` prints. With `match`, each run visits every
// process the selector matches then, one after another, as `pvm run
// --match` does: one process's failure is its `error` and `target` events,
// and the run goes on.
import { Exit, type ExitCode, mostSerious, PvmError, UsageError } from '../errors.ts';
import { readStatus } from '../target/process-identity.ts';
import { noProcessMatches, parseSelector, type Selector, selectProcesses } from '../target/select-processes.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { errorEvents, eventJson, type JsonValue, type PvmEvent, withPid } from './events.ts';
import { type Recipe, sourceOf } from './recipe-source.ts';
import type { TargetSpec } from './request.ts';
import { requestOf, type RunOptions } from './run-options.ts';
import { type PreparedRun, prepareRun, runPrepared } from './run-recipe.ts';

/** What open() takes: one target, as the command line names it. */
export type TargetOptions =
  | { readonly pid: number }
  | { readonly name: string }
  | { readonly core: string }
  | { readonly snapshot: string }
  /** Every process the selector matches when a run begins (`--match`: `build-id=HEX,uid=N`, …). */
  | { readonly match: string };

/** How a run ended. */
export interface RunResult {
  /** Every event, in order. */
  readonly events: readonly PvmEvent[];
  /** The last value of each `emit` name (of the last process, for a run over many: see `events`). */
  readonly results: Readonly<Record<string, JsonValue>>;
  /** 0; with `match`, the most serious of the processes' exit statuses. */
  readonly exit: ExitCode;
}

/** A run under way: iterate it for its events (it throws the run's PvmError after the events before it), or await it for all of them. */
export interface RecipeRun extends AsyncIterable<PvmEvent>, PromiseLike<RunResult> {}

export interface Target {
  /** What was opened, as the command line would name it. */
  readonly describe: string;
  /** Runs a recipe against the target; it starts at once. */
  run(recipe: Recipe, options?: RunOptions): RecipeRun;
  /** Releases what the target holds (ELF files parsed for its runs); a run after it is refused. */
  close(): void;
}

/**
 * Names a target. A pid must exist and a selector must parse now; a core is opened, and a process judged by the
 * policies, by each run (a run's policy may differ).
 */
export function open(options: TargetOptions): Promise<Target> {
  try {
    return Promise.resolve(new OpenTarget(targetOf(options), describe(options)));
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
  if ('pid' in options) {
    readStatus(options.pid); // a pid that is not a process: exit 4, now
    return { one: { kind: 'pid', pid: options.pid } };
  }
  if ('name' in options) return { one: { kind: 'name', name: nonEmpty(options.name, 'name') } };
  if ('core' in options) return { one: { kind: 'core', path: nonEmpty(options.core, 'core'), snapshot: false } };
  if ('snapshot' in options) return { one: { kind: 'core', path: nonEmpty(options.snapshot, 'snapshot'), snapshot: true } };
  return { many: parseSelector(nonEmpty(options.match, 'match')) };
}

function nonEmpty(value: unknown, key: string): string {
  if (typeof value !== 'string' || value === '') throw openError(`open({ ${key} }) needs a non-empty string`);
  return value;
}

function openError(message: string): UsageError {
  return new UsageError('usage', message, { hint: "open({ pid: 4242 }), open({ core: 'app.core' }), open({ snapshot: 'app.snap' }), open({ match: 'build-id=…' })" });
}

function describe(options: TargetOptions): string {
  const [[key, value]] = Object.entries(options) as [[string, unknown]];
  return `--${key} ${String(value)}`;
}

class OpenTarget implements Target {
  readonly #spec: OpenSpec;
  readonly describe: string;
  /** ELF files parsed once for every run and process (as a run over many shares them). */
  #elfFiles: ElfFiles | undefined = new ElfFiles();

  constructor(spec: OpenSpec, describe: string) {
    this.#spec = spec;
    this.describe = describe;
  }

  run(recipe: Recipe, options: RunOptions = {}): RecipeRun {
    return startRun(async (emit) => {
      const elfFiles = this.#elfFiles;
      if (elfFiles === undefined) throw new UsageError('usage', `run(): the target ${this.describe} was closed`, { hint: 'open() it again' });
      const source = sourceOf(recipe, 'run');
      const spec = this.#spec;
      if ('one' in spec) {
        const prepared = await prepareRun(requestOf(spec.one, options), source, { oneTarget: true });
        try {
          await runPrepared(prepared, spec.one, { ...jsonEvents(emit, undefined), elfFiles });
        } finally {
          prepared.close();
        }
        return Exit.ok;
      }
      if (options.report !== undefined) {
        throw new UsageError('usage', "run(): report is one target's report; a target opened with match is many", { hint: 'open each process with { pid } for a report of its own, or use pvm run --match --report' });
      }
      // The request is judged once (policies, the write grant), before any process is touched.
      const prepared = await prepareRun(requestOf({ kind: 'pid', pid: 1 }, options), source);
      try {
        return await runEach(prepared, spec.many, elfFiles, emit);
      } finally {
        prepared.close();
      }
    });
  }

  close(): void {
    this.#elfFiles?.close();
    this.#elfFiles = undefined;
  }
}

/** Each process the selector matches now, one after another; every process's events carry its pid. */
async function runEach(prepared: PreparedRun, selector: Selector, elfFiles: ElfFiles, emit: (event: PvmEvent) => void): Promise<ExitCode> {
  const pids = selectProcesses(selector, process.pid);
  if (pids.length === 0) throw noProcessMatches(selector);
  const exits: ExitCode[] = [];
  for (const pid of pids) {
    let exit: ExitCode = Exit.ok;
    try {
      await runPrepared(prepared, { kind: 'pid', pid }, { ...jsonEvents(emit, pid), elfFiles });
    } catch (error) {
      if (!(error instanceof PvmError)) throw error; // a bug in pvm: the run ends, loudly
      for (const event of errorEvents(error)) emit(withPid(event, pid));
      exit = error.exit;
    }
    exits.push(exit);
    emit({ type: 'target', pid, status: exit === Exit.ok ? 'ok' : 'failed', exit });
  }
  const failed = exits.filter((exit) => exit !== Exit.ok).length;
  const exit = mostSerious(exits);
  emit({ type: 'summary', processes: exits.length, ok: exits.length - failed, failed, exit, helpers: 0, helped: 0 });
  return exit;
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
 * A run started now, its events kept in order for whoever iterates and for the result. The run itself holds the
 * thread while it reads and writes (its syscalls are synchronous), so its events arrive in bursts between awaits.
 */
function startRun(body: (emit: (event: PvmEvent) => void) => Promise<ExitCode>): RecipeRun {
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
  // Begun on the next turn, so that a caller's synchronous code after run() comes first, as with any async call.
  const ended: Promise<ExitCode> = Promise.resolve().then(() => body(emit));
  let settled = false;
  ended.then(() => (settled = true), () => (settled = true)).finally(wake);
  const result = ended.then((exit): RunResult => ({ events, results: resultsOf(events), exit }));
  result.catch(() => {}); // a run only iterated is not an unhandled rejection; its iterator throws the error
  return {
    then: (fulfilled, rejected) => result.then(fulfilled, rejected),
    async *[Symbol.asyncIterator]() {
      let next = 0;
      for (;;) {
        while (next < events.length) yield events[next++]!;
        if (settled) break;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      await ended; // the run's error, after the events before it
    },
  };
}

/** The last value of each emitted name. */
function resultsOf(events: readonly PvmEvent[]): Record<string, JsonValue> {
  const results: Record<string, JsonValue> = {};
  for (const event of events) if (event.type === 'emit') results[event.name] = event.value;
  return results;
}
