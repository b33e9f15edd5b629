// Which command takes which option: one table, read by the parser (args.ts:
// an option a command does not take is refused), by `pvm --help`, and by a
// test that keeps the README's usage block equal to what --help prints
// (docs/design.md, "One table of options").
import { closest } from '../suggest.ts';

/** Every option pvm knows, for node:util parseArgs. */
export const OPTIONS = {
  pid: { type: 'string', multiple: true },
  match: { type: 'string' },
  jobs: { type: 'string' },
  follow: { type: 'boolean' },
  for: { type: 'string' },
  name: { type: 'string' },
  core: { type: 'string' },
  snapshot: { type: 'string' },
  ready: { type: 'string' },
  then: { type: 'string' },
  arg: { type: 'string', multiple: true },
  'allow-write': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  freeze: { type: 'boolean' },
  journal: { type: 'string' },
  'journal-sync': { type: 'string' },
  output: { type: 'string', short: 'o' },
  only: { type: 'string', multiple: true },
  report: { type: 'string' },
  'report-without-recipe': { type: 'boolean' },
  policy: { type: 'string' },
  audit: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  e: { type: 'string', short: 'e' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export type OptionName = keyof typeof OPTIONS;

/** How the usage names each option's value. */
const VALUES: Partial<Record<OptionName, string>> = {
  pid: 'N',
  match: 'SELECTOR',
  jobs: 'N',
  for: 'DURATION',
  name: 'PROCESS_NAME',
  core: 'FILE',
  snapshot: 'FILE',
  ready: 'loaded|module:NAME|ms:N',
  then: 'wait|leave|kill',
  arg: 'NAME=VALUE',
  journal: 'FILE',
  'journal-sync': 'each|end',
  output: 'FILE',
  only: 'REGION',
  report: 'FILE',
  policy: 'FILE',
  audit: 'FILE',
  e: 'STATEMENTS',
};

/**
 * What a command's target may be: `one` (any one target), `many` (one, or many processes: --match,
 * --pid more than once, --jobs), `live` (a process, never a core),
 * `journaled` (optional: a process that runs already, else every process the
 * journal names), `optional` (any one target, or none: a recipe or a file
 * alone), `none` (files only).
 */
export type TargetUse = 'one' | 'many' | 'live' | 'journaled' | 'optional' | 'none';

export interface CommandOptions {
  /** What follows `pvm COMMAND` before the options, as the usage shows it. */
  readonly operands: string;
  readonly target: TargetUse;
  /** The options it takes besides the target's, in the order the usage lists them. */
  readonly options: readonly OptionName[];
  /** Its lines in the usage, after the synopsis. */
  readonly about: readonly string[];
  /** The usage says it takes the options of this command (rather than listing them again). */
  readonly sameAs?: string;
}

const RUN_OPTIONS = ['arg', 'allow-write', 'dry-run', 'freeze', 'journal', 'journal-sync', 'report', 'report-without-recipe', 'policy', 'audit', 'json', 'verbose'] as const;

/** Each command (and `-e`, which is `run` with the recipe inline), in the order the usage lists them. */
export const COMMAND_OPTIONS = {
  run: { operands: 'RECIPE TARGET', target: 'many', options: RUN_OPTIONS, about: [] },
  '-e': { operands: "'STATEMENTS' TARGET", target: 'many', options: RUN_OPTIONS, sameAs: 'run', about: ['a one-line recipe'] },
  check: {
    operands: 'RECIPE [TARGET]',
    target: 'optional',
    options: ['policy', 'json'],
    about: ['parse and check; with a policy, what it allows,', 'denies and leaves to run time, and whether the', "recipe's signature holds; a TARGET only for types", 'from its debug info'],
  },
  plan: { operands: 'RECIPE [TARGET]', target: 'optional', options: ['json'], about: ['print the compiled plan (a TARGET: types from', 'its debug info)'] },
  maps: { operands: 'TARGET', target: 'one', options: ['policy', 'audit', 'json'], about: ["the target's regions"] },
  snapshot: {
    operands: 'TARGET -o FILE',
    target: 'live',
    options: ['output', 'only', 'freeze', 'policy', 'audit', 'json'],
    about: ["save the process's memory as an ELF core", '(gdb opens it; --snapshot FILE replays it)'],
  },
  revert: {
    operands: 'JOURNAL [--pid N | --name PROCESS_NAME] --allow-write',
    target: 'journaled',
    options: ['allow-write', 'dry-run', 'freeze', 'jobs', 'policy', 'audit', 'json'],
    about: ['undo the patches a journal recorded, where', 'memory still holds what pvm wrote; without a', 'target, in every process the journal names', '(--jobs N pvms at most)'],
  },
  status: {
    operands: 'JOURNAL [--pid N | --name PROCESS_NAME]',
    target: 'journaled',
    options: ['jobs', 'policy', 'audit', 'json'],
    about: ['each journaled site now: applied, reverted,', 'changed, or gone (the process exited); each', 'patch: the same, or partly applied; without a', 'target, every process (--jobs N pvms at most)'],
  },
  types: {
    operands: 'MODULE|FILE [NAME] [TARGET]',
    target: 'optional',
    options: ['policy', 'audit', 'json'],
    about: ["a type's layout from debug info (gdb's ptype /o):", "a module of the TARGET's, or an ELF or debug", 'FILE; without NAME, the names of its types'],
  },
  verify: {
    operands: 'REPORT [TARGET]',
    target: 'optional',
    options: ['policy', 'audit', 'json'],
    about: ["rerun a report's recipe with its args on the", 'evidence (the core the report names, or TARGET):', 'match, or each field that differs (exit 1)'],
  },
  diff: {
    operands: 'A B',
    target: 'none',
    options: ['json'],
    about: ['what changed between two snapshots or cores:', 'regions added, removed, resized, and the bytes', 'that differ (exit 0 same, 1 they differ)'],
  },
  view: {
    operands: 'REPORT|SNAPSHOT... -o FILE.html',
    target: 'none',
    options: ['output'],
    about: ["one HTML page: each input's address space drawn", '(regions, modules, writes, patch sites and', 'addresses found), its events and digests; of', 'two snapshots or cores, what changed'],
  },
  repl: {
    operands: 'TARGET',
    target: 'one',
    options: ['allow-write', 'dry-run', 'freeze', 'journal', 'journal-sync', 'policy', 'audit', 'json'],
    about: ['statements one at a time, names kept between', 'them (.help, .plan, .names, .type; history,', 'completion); from a pipe, a script'],
  },
  lsp: {
    operands: '',
    target: 'none',
    options: [],
    about: ['a language server on stdin and stdout, for', 'editors: diagnostics, hover, completion, go to', 'definition (docs/editors.md)'],
  },
} as const satisfies Record<string, CommandOptions>;

export type CommandName = Exclude<keyof typeof COMMAND_OPTIONS, '-e'>;

export const COMMAND_NAMES = Object.keys(COMMAND_OPTIONS).filter((name) => name !== '-e') as CommandName[];

/** The options that name a target, and those only a run over many processes takes. */
const TARGET_OPTIONS: Readonly<Record<TargetUse, readonly OptionName[]>> = {
  one: ['pid', 'name', 'core', 'snapshot', 'ready', 'then'],
  many: ['pid', 'name', 'core', 'snapshot', 'ready', 'then', 'match', 'jobs', 'follow', 'for'],
  live: ['pid', 'name', 'core', 'snapshot', 'ready', 'then'],
  journaled: ['pid', 'name', 'core', 'snapshot'],
  optional: ['pid', 'name', 'core', 'snapshot', 'ready', 'then'],
  none: [],
};

/** Whether `command` takes `option` (--help and --version every command takes; -e is the command it names). */
export function takes(command: keyof typeof COMMAND_OPTIONS, option: OptionName): boolean {
  const spec: CommandOptions = COMMAND_OPTIONS[command];
  if (option === 'e') return command === '-e';
  return option === 'help' || option === 'version' || spec.options.includes(option) || TARGET_OPTIONS[spec.target].includes(option);
}

/** `--pdi` → `--pid`: the known option closest to a mistyped one; of those `command` takes, when it is known. */
export function suggestOption(given: string, command?: keyof typeof COMMAND_OPTIONS): string | undefined {
  const name = given.replace(/^-+/, '').replace(/=.*$/, '');
  const long = closest(name, (Object.keys(OPTIONS) as OptionName[]).filter((option) => option.length > 1 && (command === undefined || takes(command, option))));
  return long === undefined ? undefined : `--${long}`;
}

/** The synopsis and lines of each command: the first part of `pvm --help` (and of the README's usage block, which is all of it). */
export function commandsUsage(): string {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(COMMAND_OPTIONS) as [string, CommandOptions][]) {
    const head = name === '-e' ? `pvm -e ${spec.operands}` : `pvm ${name} ${spec.operands}`.trimEnd();
    const words = new Set(spec.operands.split(/[\s[\]|]+/));
    const shown = spec.sameAs === undefined ? spec.options.filter((option) => !flagsOf(option).some((flag) => words.has(flag))).map(optionUsage) : [`[the options of pvm ${spec.sameAs}]`];
    const synopsis = wrap(head, shown);
    const about = spec.about.map((line) => `${' '.repeat(ABOUT_COLUMN)}${line}`);
    const last = synopsis.at(-1)!;
    if (synopsis.length === 1 && about.length > 0 && last.length < ABOUT_COLUMN) synopsis[synopsis.length - 1] = last + about.shift()!.slice(last.length);
    lines.push(...synopsis, ...about);
  }
  return lines.join('\n');
}

/** The whole of `pvm --help`. */
export function usageText(): string {
  return `usage:
${commandsUsage().replace(/^/gm, '  ')}

TARGET: --pid N | --name PROCESS_NAME | --core FILE | --snapshot FILE
        | --match SELECTOR | --pid N --pid M ...   (run and -e: every process, --jobs N at a time;
          SELECTOR: exe=PATH,name=COMM,module=NAME,build-id=HEX,uid=N,cgroup=PATH, all must hold)
          [--follow [--for DURATION] [--ready ...]]: then every matching process that starts,
          once ready, until SIGINT/SIGTERM or DURATION (30s, 10m, 8h) has passed
        | [--ready loaded|module:NAME|ms:N] [--then wait|leave|kill] -- COMMAND ARGS...
          (pvm starts the program, runs the recipe once it is ready, then by default waits for it)
--policy FILE narrows what may be read, written or patched; --audit FILE logs each decision (docs/policy.md)
exit status: 0 ok, 1 assert failed, 2 usage or invalid recipe, 3 denied, 4 target error, 70 a bug in pvm`;
}

/** Where a command's lines of explanation start. */
const ABOUT_COLUMN = 36;
/** Where a synopsis's continued lines start at most. */
const INDENT_MOST = 24;
/** Lines of the synopsis break before this column. */
const WIDTH = 88;

/** `--output` and `-o`. */
function flagsOf(option: OptionName): string[] {
  const spec = OPTIONS[option];
  return 'short' in spec ? [`--${option}`, `-${spec.short}`] : [`--${option}`];
}

function optionUsage(option: OptionName): string {
  const value = VALUES[option];
  return `[--${option}${value === undefined ? '' : ` ${value}`}]${'multiple' in OPTIONS[option] ? '...' : ''}`;
}

/** `head` then the options, broken into lines of WIDTH, continued under the first option. */
function wrap(head: string, options: readonly string[]): string[] {
  const lines: string[] = [];
  let line = head;
  const indent = ' '.repeat(Math.min(head.length + 1, INDENT_MOST));
  for (const option of options) {
    if (line !== head && line.length + 1 + option.length > WIDTH) {
      lines.push(line);
      line = indent + option;
    } else line += ` ${option}`;
  }
  lines.push(line);
  return lines;
}
