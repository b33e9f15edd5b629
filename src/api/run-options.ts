// What run() takes: the command line's options for `pvm run`, by their
// camelCase names, made into the request the command line makes from argv
// (request.ts). Nothing here is checked twice: the run checks the request
// as it checks the command line's.
import type { Policy } from '../policy/schema.ts';
import type { GivenPolicy } from '../policy/system.ts';
import { UsageError } from '../errors.ts';
import type { JournalSync } from './journal-file.ts';

export type { JournalSync };
import type { RunRequest, TargetSpec } from './request.ts';

/**
 * A value for a recipe's `param`: a string is taken as it is (unlike `--arg`, where `@FILE` reads a file: a value
 * from elsewhere never reads one), a number, bigint or boolean as its text, and `{ file }` as `--arg NAME=@FILE`
 * (a string param's text, an address list or pointer paths from a file).
 */
export type ArgValue = string | number | bigint | boolean | { readonly file: string };

/** The options of `pvm run` (README, "Use"), for one run. */
export interface RunOptions {
  /** `--arg NAME=VALUE`: the recipe's params. */
  readonly args?: Readonly<Record<string, ArgValue>>;
  /** `--allow-write`: a recipe that writes runs only with it (or with `dryRun`), as on the command line. */
  readonly allowWrite?: boolean;
  /** `--dry-run`: resolve and check every write and patch, and write nothing. */
  readonly dryRun?: boolean;
  /** `--freeze`: stop every thread for each patch's write, not only for code. */
  readonly freeze?: boolean;
  /** `--journal FILE`: each patched site appended, synced, before it is written (`pvm revert` undoes them). */
  readonly journal?: string;
  /** `--journal-sync`: sync the journal after each entry (the default) or once at the end. */
  readonly journalSync?: JournalSync;
  /** `--report FILE`: the run's report (docs/forensics.md). One target only. */
  readonly report?: string;
  /** `--report-without-recipe`. */
  readonly reportWithoutRecipe?: boolean;
  /**
   * `--policy`: a policy file's path, or the policy itself, validated by the same schema. Either narrows the
   * system policy (/etc/pvm/policy.json), which applies whatever is given here.
   */
  readonly policy?: string | Policy;
  /** `--audit FILE`: a line per policy decision. */
  readonly audit?: string;
}

/** The request for one target, from run()'s options. */
export function requestOf(target: TargetSpec, options: RunOptions): RunRequest {
  const known = new Set(OPTION_NAMES);
  for (const name of Object.keys(options)) {
    if (!known.has(name as keyof RunOptions)) throw new UsageError('usage', `run(): unknown option '${name}'`, { hint: `the options are ${OPTION_NAMES.join(', ')}` });
  }
  const { policy } = options;
  // A grant is `true`, never a value that merely looks true ('false' from a config file is a string).
  for (const name of ['allowWrite', 'dryRun', 'freeze', 'reportWithoutRecipe'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw optionError(`${name} is true or false, not ${JSON.stringify(options[name])}`, `run(recipe, { ${name}: true })`);
  }
  for (const name of ['journal', 'report', 'audit'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw optionError(`${name} needs a file name`, `run(recipe, { ${name}: 'fix.${name === 'audit' ? 'audit.jsonl' : name === 'report' ? 'report.json' : 'journal'}' })`);
    }
  }
  if (policy !== undefined && (policy === '' || (typeof policy !== 'string' && (typeof policy !== 'object' || policy === null)))) {
    throw optionError('policy is a file name or a policy object', "run(recipe, { policy: { write: { allow: false } } }), or { policy: 'policy.json' }");
  }
  if (options.journalSync !== undefined) {
    if (options.journal === undefined) throw optionError('journalSync applies to a journal', "run(recipe, { journal: 'fix.journal', journalSync: 'end' })");
    if (options.journalSync !== 'each' && options.journalSync !== 'end') {
      throw optionError(`journalSync ${JSON.stringify(options.journalSync)}: not 'each' or 'end'`, "'each' (the default) syncs every append before its write; 'end' syncs once, as the run ends");
    }
  }
  if (options.reportWithoutRecipe === true && options.report === undefined) throw optionError('reportWithoutRecipe applies to a report: give report too', "run(recipe, { report: 'run.json', reportWithoutRecipe: true })");
  if (target.kind === 'core') {
    for (const name of ['freeze', 'journal'] as const) {
      if (options[name] !== undefined && options[name] !== false) throw optionError(`${name} applies to a live process, not to a core file`, 'a core is read only: nothing runs in it, nothing is written to it');
    }
  }
  return {
    target,
    args: argPairs(options.args),
    allowWrite: options.allowWrite === true,
    writing: { dryRun: options.dryRun === true, freeze: options.freeze === true, journal: options.journal, journalSync: options.journalSync ?? 'each' },
    report: options.report,
    reportWithoutRecipe: options.reportWithoutRecipe === true,
    policy: { file: givenPolicy(policy), audit: options.audit },
    quietStdout: true,
  };
}

/** The `policy` option as the run's loader takes it: a file's path, or the policy given as an object. */
export function givenPolicy(policy: string | Policy | undefined): GivenPolicy | undefined {
  return policy === undefined || typeof policy === 'string' ? policy : { object: policy };
}

/** `args` as the `NAME=VALUE` pairs `--arg` gives: a string that starts with `@` escaped (`@@`), a `{ file }` as `@FILE`. */
function argPairs(args: RunOptions['args']): string[] {
  if (args === undefined) return [];
  if (typeof args !== 'object' || args === null) throw optionError('args is an object of param names and values', 'run(recipe, { args: { limit: 10 } })');
  return Object.entries(args).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw optionError(`args: ${JSON.stringify(name)} is not a param name`, 'param names are letters, digits and _, as the recipe declares them');
    if (typeof value === 'string') return `${name}=${value.startsWith('@') ? `@${value}` : value}`;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${name}=${String(value)}`;
    if (typeof value === 'object' && value !== null && typeof value.file === 'string' && value.file !== '') return `${name}=@${value.file}`;
    throw optionError(`args.${name} is a string, number, bigint, boolean or { file }, not ${JSON.stringify(value) ?? typeof value}`, `run(recipe, { args: { ${name}: '…' } })`);
  });
}

function optionError(message: string, hint: string): UsageError {
  return new UsageError('usage', `run(): ${message}`, { hint });
}

const OPTION_NAMES: readonly (keyof RunOptions)[] = ['args', 'allowWrite', 'dryRun', 'freeze', 'journal', 'journalSync', 'report', 'reportWithoutRecipe', 'policy', 'audit'];
