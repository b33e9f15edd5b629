// Command line → a Command, with node:util parseArgs (which all three runtimes
// have). Its own error texts differ between runtimes, so we word them ourselves.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { parseSelector, type Selector } from '../target/select-processes.ts';
import { UsageError } from '../errors.ts';
import { closest } from '../suggest.ts';
import { COMMAND_NAMES, COMMAND_OPTIONS, type OptionName, OPTIONS, suggestOption, takes } from './options.ts';
import type { JournalSync } from '../api/journal-file.ts';
import type { LiveTargetSpec, PolicyOptions, RunRequest, TargetSpec, WritingOptions } from '../api/request.ts';
import { parseReadiness, type Readiness } from '../target/spawn.ts';

export type { LiveTargetSpec, PolicyOptions, TargetSpec, WritingOptions };

/** `pvm run` and `-e` against one target. */
export type RunCommand = Extract<Command, { kind: 'run' }>;

export type Command =
  /** `pvm run` and `-e` against one target: the request the API's run takes (src/api/request.ts), and how to show it. */
  | (RunRequest & {
    readonly kind: 'run';
    readonly recipe: RecipeSpec;
    readonly json: boolean;
    /** Each scan's summary, with what it skipped and why, on stderr. */
    readonly verbose: boolean;
  })
  /** `pvm verify REPORT [TARGET]` (verify-command.ts): `target` undefined, the core the report names. */
  | { readonly kind: 'verify'; readonly report: string; readonly target: TargetSpec | undefined; readonly json: boolean; readonly policy: PolicyOptions }
  | { readonly kind: 'snapshot'; readonly target: LiveTargetSpec; readonly output: string; readonly only: readonly string[]; readonly freeze: boolean; readonly json: boolean; readonly policy: PolicyOptions }
  /** `target` undefined: every process the journal names. */
  | {
    readonly kind: 'revert';
    readonly journal: string;
    readonly target: Exclude<LiveTargetSpec, { kind: 'spawn' }> | undefined;
    readonly json: boolean;
    readonly allowWrite: boolean;
    readonly writing: Omit<WritingOptions, 'journal' | 'journalSync'>;
    readonly policy: PolicyOptions;
    /** Without a target: the most pvms at work (--jobs), and the command line a helper pvm gets. */
    readonly jobs: number;
    readonly helperArgs: readonly string[];
  }
  /**
   * `run` or `-e` against many processes (--pid given more than once, or --match), run-many.ts: `run` is the
   * command as for one of them (its target is replaced by each pid), `childArgs` the command line a helper pvm gets.
   */
  | {
    readonly kind: 'run-many';
    readonly run: RunCommand;
    readonly pids: readonly number[] | undefined;
    readonly selector: Selector | undefined;
    readonly jobs: number;
    readonly json: boolean;
    readonly childArgs: readonly string[];
    /** --follow (follow.ts): every matching process that starts later too, once ready, until a signal or `forMs`. */
    readonly follow: { readonly forMs: number | undefined; readonly ready: Readiness } | undefined;
  }
  /** `target` undefined: every process the journal names, with up to `jobs` pvms (helpers get `helperArgs`). */
  | {
    readonly kind: 'status';
    readonly journal: string;
    readonly target: Exclude<LiveTargetSpec, { kind: 'spawn' }> | undefined;
    readonly json: boolean;
    readonly policy: PolicyOptions;
    readonly jobs: number;
    readonly helperArgs: readonly string[];
  }
  /** `target`: where types from debug info come from, for a recipe that names them (none: the recipe's own types only). */
  | { readonly kind: 'check'; readonly recipe: RecipeSpec; readonly json: boolean; readonly policy: string | undefined; readonly target: TargetSpec | undefined }
  | { readonly kind: 'plan'; readonly recipe: RecipeSpec; readonly json: boolean; readonly target: TargetSpec | undefined }
  | { readonly kind: 'maps'; readonly target: TargetSpec; readonly json: boolean; readonly policy: PolicyOptions }
  /**
   * `pvm types MODULE|FILE [NAME]`: a type's layout from debug info (types-command.ts). With a target, `module`
   * names one of its modules (as `module("…")` does); without, it is the path of an ELF or debug file.
   */
  | { readonly kind: 'types'; readonly module: string; readonly name: string | undefined; readonly target: TargetSpec | undefined; readonly json: boolean; readonly policy: PolicyOptions }
  /** `pvm diff A B`: what changed between two snapshots or cores (diff-command.ts). */
  | { readonly kind: 'diff'; readonly a: string; readonly b: string; readonly json: boolean }
  /** `pvm view REPORT|SNAPSHOT… -o FILE.html`: one page drawing each input (view-command.ts). */
  | { readonly kind: 'view'; readonly inputs: readonly string[]; readonly output: string }
  /** `pvm repl TARGET`: statements one at a time against an open target (repl.ts). */
  | { readonly kind: 'repl'; readonly target: TargetSpec; readonly allowWrite: boolean; readonly json: boolean; readonly writing: WritingOptions; readonly policy: PolicyOptions }
  /** `pvm lsp`: the language server, on stdin and stdout (src/lsp/server.ts). */
  | { readonly kind: 'lsp' }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

/** A recipe file, or the text of `-e`. */
export type RecipeSpec = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'inline'; readonly text: string };

export function parseCommandLine(argv: readonly string[]): Command {
  // Everything after `--` is the program to start (README, "Use": `-- COMMAND ARGS...`), not pvm's.
  const dash = argv.indexOf('--');
  const spawned = dash < 0 ? undefined : argv.slice(dash + 1);
  const own = dash < 0 ? argv : argv.slice(0, dash);
  let parsed;
  try {
    parsed = parseArgs({ args: [...own], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw usageFromParseArgs(error, argv, own);
  }
  const { positionals } = parsed;
  const pids = parsed.values.pid;
  const values = { ...parsed.values, pid: pids?.[0], spawned };
  const given = new Set(parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name as OptionName] : [])));
  // parseArgs keeps the last of an option given twice; pvm takes one name, one output, one policy.
  for (const option of given) {
    if (OPTIONS[option].type !== 'string' || 'multiple' in OPTIONS[option]) continue;
    const times = parsed.tokens.filter((t) => t.kind === 'option' && t.name === option).length;
    if (times > 1) throw usage(`--${option} is given ${times} times`, `give --${option} once`);
  }
  // Many targets: --pid more than once, or --match. The command for each is the same command line less these
  // options, with --pid of that process.
  const many = (pids?.length ?? 0) > 1 || values.match !== undefined;
  if (values.name === '') throw usage('--name needs a process name', 'pvm run RECIPE --name nginx');
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const inline = values.e !== undefined;
  const named = positionals[0];
  if (inline && named !== undefined && Object.hasOwn(COMMAND_OPTIONS, named)) {
    throw usage(`-e takes the place of a command, not an option of pvm ${named}`, named === 'run' ? "write pvm -e 'STATEMENTS' --pid N, without run" : `pvm ${named} takes a recipe file: pvm ${named} RECIPE.pvm`);
  }
  const [command, file, ...rest]: (string | undefined)[] = inline ? ['-e', undefined, ...positionals] : positionals;
  if (command === undefined) throw usage('no command given', 'run `pvm --help` for the commands');
  if (!Object.hasOwn(COMMAND_OPTIONS, command)) {
    const near = closest(command, COMMAND_NAMES);
    throw usage(`unknown command '${command}'`, `${near === undefined ? '' : `did you mean '${near}'? `}the commands are: ${COMMAND_NAMES.join(', ')}, and -e`);
  }
  const name = command as keyof typeof COMMAND_OPTIONS;
  if (inline && rest.length > 0) throw usage(`unexpected argument '${rest[0]}' after -e`, "quote the whole recipe: pvm -e 'let x = read u32 at 0x1000; print x' --pid N");
  refuseOptionsNotTaken(name, given);
  if (many && COMMAND_OPTIONS[name].target !== 'many') throw usage(`pvm ${command} takes one target: --match and several --pid apply to pvm run and -e`, `pvm ${command} … --pid N`);
  if (!many && values.jobs !== undefined) {
    if (COMMAND_OPTIONS[name].target !== 'journaled') throw usage('--jobs applies to many targets (--match, or --pid more than once)', 'pvm run RECIPE --match name=nginx --jobs 4');
    if (hasTarget(values)) throw usage(`--jobs applies to every process the journal names: pvm ${command} with a target visits one`, `pvm ${command} JOURNAL --jobs 4, without --pid or --name`);
  }
  if (values.follow === true && values.match === undefined) throw usage('--follow applies to --match: it follows the processes a selector matches', 'pvm run RECIPE --match name=nginx --follow');
  if (values.for !== undefined && values.follow !== true) throw usage('--for applies to --follow: how long to follow', 'pvm run RECIPE --match name=nginx --follow --for 10m');
  if (values.follow === true && values.jobs !== undefined) throw usage('--jobs does not apply to --follow: the processes it finds run one at a time, as they get ready', 'pvm run RECIPE --match name=nginx --follow');
  return commandOf(name, file, rest as string[], own, values, parsed, many);
}

type Parsed = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true; tokens: true }>>;
type Values = Omit<Parsed['values'], 'pid'> & { pid: string | undefined; spawned: readonly string[] | undefined };

/** The table (options.ts) says which options `command` takes: any other is refused, before anything else is checked. */
function refuseOptionsNotTaken(command: keyof typeof COMMAND_OPTIONS, given: ReadonlySet<OptionName>): void {
  const synopsis = `pvm ${command === '-e' ? "-e 'STATEMENTS'" : command}`;
  for (const option of given) {
    if (takes(command, option)) continue;
    const takers = Object.keys(COMMAND_OPTIONS).filter((other) => takes(other as keyof typeof COMMAND_OPTIONS, option));
    throw usage(`--${option} does not apply to ${synopsis}`, `it applies to pvm ${listed(takers)}; \`pvm --help\` shows what each command takes`);
  }
}

/** `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** A command whose options the table has let through: its operands, and what each option must hold. */
function commandOf(command: keyof typeof COMMAND_OPTIONS, file: string | undefined, rest: readonly string[], own: readonly string[], values: Values, parsed: Parsed, many: boolean): Command {
  const json = values.json ?? false;
  const allowWrite = values['allow-write'] ?? false;
  const verbose = values.verbose ?? false;
  const writing: WritingOptions = { dryRun: values['dry-run'] ?? false, freeze: values.freeze ?? false, journal: values.journal, journalSync: journalSyncOf(values) };
  if (writing.journal === '') throw usage('--journal needs a file name', 'pvm run fix.pvm --pid N --allow-write --journal fix.journal');
  if (command === '-e' || command === 'run') {
    if (command === 'run' && file === undefined) throw usage('pvm run needs a recipe file', many ? 'pvm run RECIPE.pvm --match name=nginx' : 'pvm run RECIPE.pvm');
    if (rest.length > 0) throw usage(`unexpected argument '${rest[0]}'`, 'name the target with --pid N or --name NAME');
    if (many) return fanOut(own, parsed, values, json);
    const recipe: RecipeSpec = command === '-e' ? { kind: 'inline', text: values.e! } : { kind: 'file', path: file! };
    return {
      kind: 'run',
      recipe,
      target: offlineChecked(targetOf(values), values),
      args: values.arg ?? [],
      allowWrite,
      json,
      verbose,
      writing,
      report: reportOf(values),
      reportWithoutRecipe: reportWithoutRecipe(values),
      policy: policyOf(values),
      quietStdout: json,
    };
  }
  if (command === 'types') return typesOf(file, rest, values);
  if (command === 'diff') {
    if (file === undefined || rest.length !== 1) throw usage(rest.length > 1 ? `unexpected argument '${rest[1]}'` : 'pvm diff needs two files: A and B', 'pvm diff before.core after.core');
    return { kind: 'diff', a: file, b: rest[0]!, json };
  }
  if (command === 'view') {
    if (file === undefined) throw usage('pvm view needs a report, snapshot or core to draw', 'pvm view run.json -o run.html');
    if (values.output === undefined || values.output === '') throw usage('pvm view needs an output file: -o FILE.html', `pvm view ${file} -o run.html`);
    return { kind: 'view', inputs: [file, ...rest], output: values.output };
  }
  if (command === 'lsp') {
    if (file !== undefined) throw usage(`unexpected argument '${file}'`, 'pvm lsp takes no arguments: an editor starts it and speaks to it on stdin and stdout (docs/editors.md)');
    return { kind: 'lsp' };
  }
  if (rest.length > 0) {
    throw usage(`unexpected argument '${rest[0]}'`, command === 'verify' ? 'name the evidence with --snapshot FILE, --core FILE or --pid N' : 'name the target with --pid N or --name NAME');
  }
  const policy = policyOf(values);
  switch (command) {
    case 'revert': {
      if (file === undefined) throw usage('pvm revert needs a journal file', 'pvm revert fix.journal --pid N');
      const target = hasTarget(values) ? existingTargetOf(values, 'pvm revert writes to the process the journal names') : undefined;
      return { kind: 'revert', journal: file, target, json, allowWrite, writing: { dryRun: writing.dryRun, freeze: writing.freeze }, policy, ...jobsOf(values, own, parsed) };
    }
    case 'status': {
      if (file === undefined) throw usage('pvm status needs a journal file', 'pvm status fix.journal');
      const target = hasTarget(values) ? existingTargetOf(values, 'pvm status reads the processes the journal names') : undefined;
      return { kind: 'status', journal: file, target, json, policy, ...jobsOf(values, own, parsed) };
    }
    case 'snapshot':
      if (file !== undefined) throw usage(`unexpected argument '${file}'`, 'pvm snapshot --pid N -o FILE');
      if (values.output === undefined || values.output === '') throw usage('pvm snapshot needs an output file: -o FILE', 'pvm snapshot --pid N -o app.core');
      return { kind: 'snapshot', target: liveTargetOf(values, 'a snapshot is taken of a running process'), output: values.output, only: values.only ?? [], freeze: values.freeze ?? false, json, policy };
    case 'repl':
      if (file !== undefined) throw usage(`unexpected argument '${file}'`, 'pvm repl takes a target: --pid N, --name NAME, --core FILE');
      return { kind: 'repl', target: offlineChecked(targetOf(values), values), allowWrite, json, writing, policy };
    case 'maps':
      if (file !== undefined) throw usage(`unexpected argument '${file}'`, 'pvm maps takes a target: --pid N or --name NAME');
      return { kind: 'maps', target: targetOf(values), json, policy };
    case 'verify':
      if (file === undefined) throw usage('pvm verify needs a report file', 'pvm verify run.json, or pvm verify run.json --pid N');
      return { kind: 'verify', report: file, target: optionalTarget(values, 'pvm verify run.json -- ./server'), json, policy };
    case 'check':
    case 'plan':
      if (file === undefined) throw usage(`pvm ${command} needs a recipe file`, `pvm ${command} RECIPE.pvm`);
      return command === 'check'
        ? { kind: 'check', recipe: { kind: 'file', path: file }, json, policy: policy.file, target: optionalTarget(values, 'pvm check RECIPE -- ./server') }
        : { kind: 'plan', recipe: { kind: 'file', path: file }, json, target: optionalTarget(values, 'pvm plan RECIPE -- ./server') };
  }
}

/** `pvm types MODULE|FILE [NAME]`: NAME may be given as one word (`'struct malloc_state'`) or two (`struct malloc_state`). */
function typesOf(module: string | undefined, rest: readonly string[], values: Values): Command {
  if (module === undefined || module === '') throw usage('pvm types needs a module or a file', 'pvm types /usr/bin/bash, or pvm types libc.so.6 --pid N');
  const tagged = rest.length === 2 && ['struct', 'union', 'enum'].includes(rest[0]!);
  if (rest.length > (tagged ? 2 : 1)) throw usage(`unexpected argument '${rest[tagged ? 2 : 1]}'`, "pvm types FILE NAME: one type name ('struct malloc_state', PyObject)");
  const name = rest.length === 0 ? undefined : rest.join(' ');
  if (name !== undefined && name.trim() === '') throw usage('the type name is empty', "name a type: pvm types FILE 'struct malloc_state'");
  const policy = policyOf(values);
  const target = optionalTarget(values, 'pvm types MODULE -- ./server');
  if (target === undefined) {
    const given = policy.file !== undefined ? '--policy' : policy.audit !== undefined ? '--audit' : undefined;
    if (given !== undefined) throw usage(`${given} applies to a target, and pvm types FILE reads only the file`, `name a target to read its module's types under the policy: pvm types MODULE --pid N ${given} …`);
  }
  return { kind: 'types', module, name, target, json: values.json ?? false, policy };
}

/** --journal-sync each (the default) or end, and only with a journal. */
function journalSyncOf(values: Values): JournalSync {
  const sync = values['journal-sync'];
  if (sync === undefined) return 'each';
  if (values.journal === undefined) throw usage('--journal-sync applies to a journal', 'pvm run fix.pvm --match name=app --allow-write --journal fix.journal --journal-sync end');
  if (sync !== 'each' && sync !== 'end') throw usage(`--journal-sync ${sync}: not each or end`, 'each (the default) syncs every append before its write; end syncs once, as the run ends');
  return sync;
}

/** `run` or `-e` over many processes: the command line each gets is this one less --pid, --match and --jobs. */
function fanOut(own: readonly string[], parsed: Parsed, values: Values, json: boolean): Command {
  const pids = parsed.values.pid;
  if (values.match !== undefined && pids !== undefined) throw usage('give --match or --pid, not both', 'pvm run RECIPE --match name=nginx');
  for (const option of ['name', 'core', 'snapshot'] as const) {
    if (values[option] !== undefined) throw usage(`--${option} takes one target; with --match or several --pid, leave it out`, 'pvm run RECIPE --match name=nginx --json');
  }
  if (values.spawned !== undefined) throw usage('a program started by pvm is one target; --match and several --pid name processes that run already', 'pvm run RECIPE -- ./server');
  if (values.report !== undefined && values.follow === true) throw usage('--report is one report of the processes a run visits, and --follow runs until stopped', 'leave --report out of --follow; --journal and --audit record what it does');
  if (values.ready !== undefined && values.follow !== true) throw usage('--ready applies to a program pvm starts, or to the processes --follow finds', 'pvm run RECIPE --match name=nginx --follow --ready module:libssl.so.3');
  const follow = values.follow === true ? { forMs: values.for === undefined ? undefined : parseDuration(values.for), ready: parseReadiness(values.ready ?? 'loaded') } : undefined;
  for (const pid of pids ?? []) if (!/^[1-9][0-9]{0,9}$/.test(pid)) throw usage(`--pid ${pid}: not a process id`, 'pass a positive integer, e.g. --pid 4242');
  const { jobs } = jobsOf(values, own, parsed);
  const childArgs = argsWithout(own, parsed, ['pid', 'match', 'jobs', 'follow', 'for', 'ready']);
  const run = parseCommandLine([...childArgs, '--pid', '1']) as RunCommand;
  return { kind: 'run-many', run, pids: pids?.map(Number), selector: values.match === undefined ? undefined : parseSelector(values.match), jobs, json, childArgs, follow };
}

/** `--for`: a number and a unit (ms, s, m, h, d), as systemd writes them; a bare number is seconds. */
export function parseDuration(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  if (!(ms > 0) || ms > 2 ** 31 - 1) throw usage(`--for ${text}: not a duration`, 'give a number and a unit: 500ms, 30s, 10m, 8h or 7d (at most 24 days)');
  return ms;
}

/** --jobs (default: the cores), and the command line a helper pvm gets: this one less --jobs. */
function jobsOf(values: Values, own: readonly string[], parsed: Parsed): { jobs: number; helperArgs: readonly string[] } {
  const jobs = values.jobs === undefined ? Math.max(1, os.availableParallelism?.() ?? os.cpus().length) : Number(values.jobs);
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw usage(`--jobs ${values.jobs}: not a positive number`, 'pvm run RECIPE --match name=nginx --jobs 4');
  return { jobs, helperArgs: argsWithout(own, parsed, ['jobs']) };
}

/** `own` less the options `names` (and their values). */
function argsWithout(own: readonly string[], parsed: Parsed, names: readonly OptionName[]): string[] {
  const dropped = new Set<number>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || !names.includes(token.name as OptionName)) continue;
    dropped.add(token.index);
    if (!token.inlineValue && OPTIONS[token.name as OptionName].type === 'string') dropped.add(token.index + 1);
  }
  return own.filter((_, i) => !dropped.has(i));
}

/** A target a command may take (types from its debug info), or none; --ready and --then only with a program pvm starts. */
function optionalTarget(values: Values, example: string): TargetSpec | undefined {
  if (hasTarget(values)) return targetOf(values);
  for (const option of ['ready', 'then'] as const) if (values[option] !== undefined) throw usage(`--${option} applies to a program pvm starts (-- COMMAND ARGS...)`, example);
  return undefined;
}

function hasTarget(values: TargetValues): boolean {
  return values.pid !== undefined || values.name !== undefined || values.spawned !== undefined || values.core !== undefined || values.snapshot !== undefined;
}

type TargetValues = { pid?: string | undefined; name?: string | undefined; core?: string | undefined; snapshot?: string | undefined; spawned?: readonly string[] | undefined; ready?: string | undefined; then?: string | undefined };

function targetOf(values: TargetValues): TargetSpec {
  const given = (['pid', 'name', 'core', 'snapshot'] as const).filter((option) => values[option] !== undefined);
  if (values.spawned !== undefined) {
    if (given.length > 0) throw usage(`give one target: --${given[0]} or a program after --, not both`, 'pvm run RECIPE -- ./server, or pvm run RECIPE --pid N');
    if (values.spawned.length === 0) throw usage('nothing to run after --', 'pvm run RECIPE -- ./server --port 8080');
    const then = values.then ?? 'wait';
    if (then !== 'wait' && then !== 'leave' && then !== 'kill') throw usage(`--then ${then}: not wait, leave or kill`, 'wait (the default) waits for the program to exit; leave leaves it running; kill ends it');
    return { kind: 'spawn', command: values.spawned, ready: parseReadiness(values.ready ?? 'loaded'), then };
  }
  for (const option of ['ready', 'then'] as const) {
    if (values[option] !== undefined) throw usage(`--${option} applies to a program pvm starts (-- COMMAND ARGS...)`, 'pvm run RECIPE --ready module:libssl.so.3 -- ./server');
  }
  if (given.length > 1) throw usage(`give one target, not ${given.map((option) => `--${option}`).join(' and ')}`, 'name one target');
  if (values.pid !== undefined) {
    if (!/^[1-9][0-9]{0,9}$/.test(values.pid)) throw usage(`--pid ${values.pid}: not a process id`, 'pass a positive integer, e.g. --pid 4242');
    return { kind: 'pid', pid: Number(values.pid) };
  }
  if (values.name !== undefined) return { kind: 'name', name: values.name };
  for (const option of ['core', 'snapshot'] as const) {
    const path = values[option];
    if (path === '') throw usage(`--${option} needs a file name`, `--${option} app.core`);
    if (path !== undefined) return { kind: 'core', path, snapshot: option === 'snapshot' };
  }
  throw usage('no target given', 'name the target with --pid N or --name PROCESS_NAME (or --core FILE, --snapshot FILE, or -- COMMAND to start one)');
}

/** A running process: `why` says why a core will not do. */
function liveTargetOf(values: TargetValues, why: string): LiveTargetSpec {
  const target = targetOf(values);
  if (target.kind === 'core') throw usage(`--${target.snapshot ? 'snapshot' : 'core'} names a file, and ${why}`, 'name the process with --pid N or --name PROCESS_NAME');
  return target;
}

/** A process that exists already: a program pvm would start is not the one a journal names. */
function existingTargetOf(values: TargetValues, why: string): Exclude<LiveTargetSpec, { kind: 'spawn' }> {
  const target = liveTargetOf(values, why);
  if (target.kind === 'spawn') throw usage(`a program started by pvm is a new process, and ${why}`, 'name the process with --pid N or --name PROCESS_NAME');
  return target;
}

function policyOf(values: { policy?: string | undefined; audit?: string | undefined }): PolicyOptions {
  if (values.policy === '') throw usage('--policy needs a file name', 'pvm run RECIPE --pid N --policy policy.json');
  if (values.audit === '') throw usage('--audit needs a file name', 'pvm run RECIPE --pid N --audit audit.jsonl');
  return { file: values.policy, audit: values.audit };
}

/** A core cannot be stopped or written: --freeze and --journal make no sense with one. */
function offlineChecked(target: TargetSpec, values: { freeze?: boolean | undefined; journal?: string | undefined }): TargetSpec {
  if (target.kind !== 'core') return target;
  for (const option of ['freeze', 'journal'] as const) {
    if (values[option] !== undefined) throw usage(`--${option} applies to a live process, not to a core file`, 'a core is read only: nothing runs in it, nothing is written to it');
  }
  return target;
}

function reportWithoutRecipe(values: { report?: string | undefined; 'report-without-recipe'?: boolean | undefined }): boolean {
  const without = values['report-without-recipe'] ?? false;
  if (without && values.report === undefined) throw usage('--report-without-recipe applies to a report: give --report FILE too', 'pvm run RECIPE --pid N --report run.json --report-without-recipe');
  return without;
}

function reportOf(values: { report?: string | undefined }): string | undefined {
  if (values.report === '') throw usage('--report needs a file name', 'pvm run RECIPE --pid N --report run.json');
  return values.report;
}

function usage(message: string, hint: string): UsageError {
  return new UsageError('usage', message, { hint });
}

/** `own`: pvm's arguments (those before `--`), where the command is named. */
function usageFromParseArgs(error: unknown, argv: readonly string[], own: readonly string[]): UsageError {
  const code = (error as { code?: string }).code;
  const text = String((error as Error).message);
  const option = (/'(-[^'\s,]*)/.exec(text)?.[1] ?? argv.find((a) => a.startsWith('-')) ?? '').replace(/,$/, '');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // The command is not parsed yet: the first argument that names one (or -e) is the likeliest.
    const command = own.includes('-e') ? '-e' : own.find((arg) => arg !== '-e' && Object.hasOwn(COMMAND_OPTIONS, arg)) as keyof typeof COMMAND_OPTIONS | undefined;
    const near = suggestOption(option, command);
    return usage(`unknown option '${option}'`, `${near === undefined ? '' : `did you mean ${near}? `}run \`pvm --help\` for the options`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return usage(`option '${option}' needs a value`, 'run `pvm --help` for the options');
  return usage(`cannot parse the command line: ${text}`, 'run `pvm --help` for the options');
}
