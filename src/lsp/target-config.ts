// Which target an editor's recipe is read against: a first-line comment
// (`# pvm: --pid 4242`, `--core FILE`, `--snapshot FILE`, `--name NAME`), else
// the client's initialization options (`{ "target": "--pid 4242" }`, or
// `{ "pid": 4242 }`, `{ "core": … }`, `{ "snapshot": … }`, `{ "name": … }`).
// `{ "targetComment": false }` turns the first line's comment off (an editor
// that should not attach to a process because a recipe was opened).
// The words are read by the command line's own parser, as `pvm maps` reads
// them; only a target already there is named: a language server never starts
// a program.
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseCommandLine, type TargetSpec } from '../cli/args.ts';
import { suggestOption } from '../cli/options.ts';
import type { ErrorCode } from '../error-codes.ts';
import { PvmError } from '../errors.ts';

export interface TargetConfig {
  /** The target, a core's path made absolute. */
  readonly spec: TargetSpec;
  /** As the user wrote it, for messages: `--pid 4242`. */
  readonly text: string;
  /** --policy FILE: narrows what may be read, as on the command line (the system policy applies in any case). */
  readonly policy: string | undefined;
}

/** A target that cannot be used as written: why, and how to write it. */
export interface TargetConfigProblem {
  readonly text: string;
  /** As for a command line pvm does not understand: `usage`, mostly. */
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string | undefined;
}

/** `# pvm: WORDS` on the recipe's first line. */
const COMMENT = /^#\s*pvm:(.*)$/;

/** The words a target may be given with; any other option (`--audit`, `--`) is refused. */
const TARGET_WORDS = new Set(['--pid', '--name', '--core', '--snapshot', '--policy']);

/** What the client said at initialization, as it said it. */
export type InitialTarget = unknown;

/**
 * The target for the recipe `text` (at `path`, whose directory a relative core path is taken from), or
 * undefined when none is named, or the problem with the one named.
 */
export function targetConfig(text: string, path: string | undefined, initial: InitialTarget): TargetConfig | TargetConfigProblem | undefined {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const comment = commentAllowed(initial) ? COMMENT.exec(firstLine.trim()) : null;
  if (comment !== null) return parseWords(comment[1]!.trim(), path === undefined ? 'unsaved' : dirname(path));
  const words = initialWords(initial);
  return words === undefined ? undefined : parseWords(words, undefined);
}

/** Whether a first line may name the target: yes unless the client said `{ "targetComment": false }`. */
function commentAllowed(initial: InitialTarget): boolean {
  return typeof initial !== 'object' || initial === null || (initial as Record<string, unknown>).targetComment !== false;
}

/** The initialization options' target as words, or undefined when they name none. */
function initialWords(initial: InitialTarget): string | undefined {
  if (typeof initial !== 'object' || initial === null) return undefined;
  const options = initial as Record<string, unknown>;
  if (typeof options.target === 'string' && options.target.trim() !== '') return options.target.trim();
  for (const key of ['pid', 'name', 'core', 'snapshot'] as const) {
    const value = options[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return `--${key} ${quoted(String(value))}`;
  }
  return undefined;
}

function quoted(word: string): string {
  return /^[^\s"']+$/.test(word) ? word : `"${word.replace(/["\\]/g, '\\$&')}"`;
}

/** `directory`: where relative paths are; 'unsaved' for a recipe not saved yet (none: refused), undefined for the server's own. */
function parseWords(text: string, directory: string | undefined): TargetConfig | TargetConfigProblem {
  const words = splitWords(text);
  if (words === undefined) return { text, code: 'usage', message: `the target '${text}' has a quote that is not closed`, hint: 'close the quote: # pvm: --core "my core"' };
  if (words.length === 0) return { text, code: 'usage', message: 'the comment # pvm: names no target', hint: 'write e.g. # pvm: --pid 4242, or remove the comment' };
  const other = words.find((word) => word.startsWith('-') && !TARGET_WORDS.has(word.replace(/=.*$/, '')));
  if (other !== undefined) {
    const near = suggestOption(other, 'maps');
    const meant = near !== undefined && TARGET_WORDS.has(near) ? `did you mean ${near}? ` : '';
    return { text, code: 'usage', message: `'${other}' does not name a target`, hint: `${meant}name one target: --pid N, --name PROCESS_NAME, --core FILE or --snapshot FILE (and --policy FILE); the language server never starts a program` };
  }
  let command;
  try {
    command = parseCommandLine(['maps', ...words]);
  } catch (error) {
    if (!(error instanceof PvmError)) throw error;
    return { text, code: error.code, message: `the target '${text}': ${error.message}`, hint: error.hint };
  }
  if (command.kind !== 'maps') return { text, code: 'usage', message: `the target '${text}' names no target`, hint: 'write e.g. # pvm: --pid 4242' };
  // A relative path is the recipe's neighbour, not the server's (an editor starts it in any directory).
  const near = (file: string) => (isAbsolute(file) || directory === undefined ? file : resolve(directory, file));
  const spec = command.target;
  const relative = [spec.kind === 'core' ? spec.path : undefined, command.policy.file].find((file) => file !== undefined && !isAbsolute(file));
  if (directory === 'unsaved' && relative !== undefined) {
    return { text, code: 'usage', message: `the target '${text}' names '${relative}' beside the recipe, which is not saved yet`, hint: `save the recipe, or write the path whole: /…/${relative}` };
  }
  const policy = command.policy.file === undefined ? undefined : near(command.policy.file);
  return { spec: spec.kind === 'core' ? { ...spec, path: near(spec.path) } : spec, text, policy };
}

/** Words split at spaces, "double" or 'single' quotes keeping spaces; undefined for a quote left open. */
function splitWords(text: string): string[] | undefined {
  const words: string[] = [];
  const word = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+))/y;
  let at = 0;
  for (let match = word.exec(text); match !== null; match = word.exec(text)) {
    words.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3]!);
    at = word.lastIndex;
  }
  return text.slice(at).trim() === '' ? words : undefined;
}
