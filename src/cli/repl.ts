// `pvm repl TARGET`: statements one at a time against a target opened once.
// Each input (a line, or the lines of a block until its brackets close) is
// compiled as a recipe of its own that sees the names earlier inputs declared
// (their types for the checker, their values for the runtime), checked by the
// policy and the write grant as a run is, and executed; an error is shown and
// the session goes on. At a terminal: a prompt, history in the XDG state
// directory, completion of names, builtins, types and keywords, and `.help`,
// `.plan`, `.names`, `.type`, `.exit`. From a pipe: statements line by line, no
// prompts, and the exit status of the most serious error (0 if none).
import type { TypeSession } from '../dsl/typed-lowering.ts';
import type { TypeName } from '../types/ctype.ts';
import { appendFileSync, mkdirSync } from 'node:fs';
import { notAppendable, readBoundedFile } from '../regular-file.ts';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { count } from '../count.ts';
import { DeniedError, type ExitCode, mostSerious, PvmError, RecipeError, UsageError } from '../errors.ts';
import { BUILTINS } from '../dsl/builtins.ts';
import { scanBrackets } from '../dsl/brackets.ts';
import { type CompiledRecipe, compileRecipe } from '../dsl/compile-recipe.ts';
import { KEYWORDS } from '../dsl/grammar-words.ts';
import { describeType, type StaticType } from '../dsl/static-type.ts';
import { TYPE_NAMES } from '../dsl/types.ts';
import { policyLimits } from '../policy/apply.ts';
import { loadPolicies } from '../policy/system.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { execute } from '../runtime/execute.ts';
import { writeRefusal } from '../policy/refusals.ts';
import { humanValue } from '../runtime/evaluation/show.ts';
import type { Value } from '../runtime/evaluation/value.ts';
import { describeTarget } from '../target/target.ts';
import type { Command } from './args.ts';
import { formatError, formatErrorJson, formatEvent } from './format.ts';
import { journalFor, recordWrites } from '../api/run-recipe.ts';
import { judgePlan } from '../policy/refusals.ts';
import { debugDirectories, openSession, wasmLoopsFrom } from '../api/session.ts';
import { printLines, sessionTypesOutput } from './types-command.ts';

type Out = (text: string) => void;
type ReplCommand = Extract<Command, { kind: 'repl' }>;

const COMMANDS = ['.help', '.plan', '.names', '.type', '.exit'];
const HISTORY_LINES = 1000;

const HELP = `Statements run as they are entered; a block runs once its braces close.
Names declared with let stay for the next statements (let may declare one anew).
  .plan STATEMENT   what the statement would do, without running it
  .names            the names kept so far, with their kinds and values
  .type NAME        a type's layout, declared here or from debug info (as pvm
                    types); from "MODULE": that module's; without NAME, the names
  .help             this text
  .exit             leave (or Ctrl-D)
Tab completes names, builtins, types and keywords. The language: docs/language.md.`;

export async function repl(command: ReplCommand, out: Out): Promise<ExitCode> {
  const policies = await loadPolicies(command.policy.file);
  // Statements typed in are no file a signer signed: refused where a policy lists signers (recipes.signers).
  if (policies.some((p) => p.policy.recipes !== undefined)) (await import('../policy/recipe-signature.ts')).requireSignedRecipe(policies, { name: '<repl>', bytes: undefined });
  const { dryRun, freeze } = command.writing;
  const journal = await journalFor(command.writing);
  // Shared by every input's resolver: a live process's files are parsed once for the session. A core's module
  // files cannot be reopened that way, so each input parses them again, and closes what it opened.
  const elfFiles = command.target.kind === 'core' ? undefined : new ElfFiles();
  const session = await openSession(command.target, policies, command.policy.audit, { quietStdout: command.json, elfFiles }).catch((error: unknown) => {
    journal?.close();
    throw error;
  });
  const interactive = process.stdin.isTTY === true;
  const types = new Map<string, StaticType>();
  /** The structs declared and the typed names kept (typed-lowering.ts), as `types` keeps the names' kinds. */
  let typeSession: TypeSession | undefined;
  const values = new Map<string, Value>();
  const exits: ExitCode[] = [];
  let inputs = 0;

  /** Compiles one input against the names kept so far (`.plan` shows it as it is; running it judges it first). */
  const compile = async (text: string): Promise<CompiledRecipe> => {
    const compiled = await compileRecipe({ name: `<repl:${++inputs}>`, text }, { session: types, typeSession, types: await session.types() });
    const param = compiled.plan.params[0];
    if (param !== undefined) {
      throw new RecipeError('param-in-repl', `'param ${param.name}' declares an input of a recipe file; the REPL has no --arg`, { hint: `declare it with let: let ${param.name} = …` });
    }
    return compiled;
  };

  const run = async (text: string): Promise<void> => {
    const { plan, declared, typeSession: typed } = await compile(text);
    // Types declared stay even if the input fails at run time: they are declarations, not values.
    typeSession = typed;
    // Judged as pvm run judges a recipe, a write refused with what to do in a REPL.
    await judgePlan(plan, policies, command, (plan) =>
      new DeniedError('write-not-allowed', `${writeRefusal(plan).message}: this REPL was started without --allow-write`, {
        hint: 'leave it and start pvm repl with --allow-write (or --dry-run to see what writes would do)',
      }));
    execute({
      plan,
      target: session.target,
      params: values,
      limits: policyLimits(policies),
      allowWrite: command.allowWrite,
      dryRun,
      freeze,
      journal: recordWrites(journal, session.audit),
      journalFile: journal !== undefined,
      debugDirectories: debugDirectories(),
      elfFiles,
      wasmLoopsFrom: wasmLoopsFrom(),
      output: (event) => {
        const text = formatEvent(event, command.json);
        if (text !== undefined) out(text);
      },
      // What ran keeps its names, even when a later statement of the input failed.
      finished: (names, ran) => {
        for (const [name, value] of names) {
          values.set(name, value);
          // A name takes its new type only if its `let` ran: one the error stopped before keeps its old value and type.
          const type = declared.get(name);
          if (type !== undefined && ran.has(name)) types.set(name, type);
        }
      },
    });
  };

  const meta = async (text: string): Promise<boolean> => {
    const word = text.trim().split(/\s+/)[0] ?? '';
    const argument = text.trim().slice(word.length).trim();
    switch (word) {
      case '.help':
        out(HELP);
        return true;
      case '.exit':
      case '.quit':
        return false;
      case '.names':
        if (command.json) out(JSON.stringify({ type: 'names', names: [...types].map(([name, type]) => ({ name, kind: type, value: values.has(name) ? humanValue(values.get(name)!) : null })) }));
        else out(types.size === 0 ? 'no names yet: declare one with let' : [...types].map(([name, type]) => `${name}: ${describeType(type)} = ${values.has(name) ? humanValue(values.get(name)!) : '?'}`).join('\n'));
        return true;
      case '.type': {
        // A type this session declared, else from debug info as a recipe's `as NAME [from "MODULE"]` finds it.
        const { name, module } = typeArgument(argument);
        const who = describeTarget(session.target.identity);
        const where = module === undefined ? `the executable of ${who}` : `${module} in ${who}`;
        const [debug, anywhere] = await Promise.all([session.debugTypes(module), session.types()]);
        const source = { debug: () => debug, anywhere: module === undefined ? (type: TypeName) => anywhere.lookup(type, undefined) : undefined };
        printLines(sessionTypesOutput(typeSession?.types ?? new Map(), source, name, command.json, where), out);
        return true;
      }
      case '.plan': {
        if (argument === '') throw new UsageError('usage', '.plan needs a statement', { hint: '.plan let x = read u32 at 0x1000' });
        const { plan } = await compile(argument);
        out(command.json ? (await import('../plan/json.ts')).planJson(plan) : (await import('../plan/print.ts')).printPlan(plan));
        return true;
      }
      default:
        throw new UsageError('usage', `unknown command '${word}'`, { hint: `the commands are ${COMMANDS.join(', ')}` });
    }
  };

  // `pvm repl | head -1` closes stdout early; that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const history = interactive ? historyFile() : undefined;
  const rl = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    history: history === undefined ? [] : loadHistory(history),
    historySize: HISTORY_LINES,
    completer: (line: string) => complete(line, types),
  });
  const prompt = (pending: boolean) => {
    if (!interactive) return;
    rl.setPrompt(pending ? '...> ' : 'pvm> ');
    rl.prompt();
  };
  let pending = '';
  rl.on('SIGINT', () => {
    if (pending === '') process.stdout.write('\n(to leave: Ctrl-D or .exit)\n');
    else process.stdout.write('\n');
    pending = '';
    prompt(false);
  });
  /**
   * Runs an input. At a terminal, the terminal leaves raw mode meanwhile: a statement runs to its end without
   * a break (execution is synchronous), so Ctrl-C then is the signal, and ends pvm, rather than a key that
   * would wait in readline until the statement is done.
   */
  const whileRunning = async (text: string): Promise<void> => {
    const tty = interactive ? (process.stdin as { setRawMode?: (raw: boolean) => void }) : undefined;
    tty?.setRawMode?.(false);
    try {
      await run(text);
    } finally {
      tty?.setRawMode?.(true);
    }
  };
  if (interactive) out(`pvm repl: ${describeTarget(session.target.identity)}. .help for help, Ctrl-D to leave.`);
  prompt(false);
  try {
    for await (const line of rl) {
      if (history !== undefined && line.trim() !== '') attemptAppend(history, line);
      pending = pending === '' ? line : `${pending}\n${line}`;
      // A block goes on until its brackets close.
      if (scanBrackets(pending).open !== '') {
        prompt(true);
        continue;
      }
      const text = pending;
      pending = '';
      if (text.trim() === '') {
        prompt(false);
        continue;
      }
      try {
        if (text.trimStart().startsWith('.')) {
          if (!(await meta(text))) break;
        } else await whileRunning(text);
      } catch (error) {
        if (!(error instanceof PvmError)) throw error;
        exits.push(error.exit);
        if (command.json) out(formatErrorJson(error));
        process.stderr.write(`${formatError(error)}\n`);
      }
      prompt(false);
    }
    if (pending.trim() !== '') {
      exits.push(2);
      process.stderr.write(`pvm: error: the input ended inside a block (${count(scanBrackets(pending).open.length, 'bracket')} still open); it did not run\n`);
    }
  } finally {
    rl.close();
    session.close();
    await session.afterwards();
    journal?.close();
    elfFiles?.close();
  }
  if (interactive) out('');
  return interactive ? 0 : mostSerious(exits);
}

/** `.type`'s argument: `NAME`, `NAME from "MODULE"`, `from "MODULE"`, or nothing. */
function typeArgument(argument: string): { name: string | undefined; module: string | undefined } {
  const from = /^(?:(.*?)\s+)?from\s+"([^"]+)"$/.exec(argument);
  const name = (from === null ? argument : from[1] ?? '').trim();
  return { name: name === '' ? undefined : name, module: from?.[2] };
}

/** Tab: the word before the cursor, completed from the names kept, builtins, types, keywords (and the dot commands). */
function complete(line: string, types: ReadonlyMap<string, StaticType>): [string[], string] {
  const word = /\.?[A-Za-z_][A-Za-z0-9_]*$/.exec(line)?.[0] ?? '';
  const candidates = word.startsWith('.') ? COMMANDS : [...types.keys(), ...BUILTINS.keys(), ...TYPE_NAMES, ...KEYWORDS];
  const hits = [...new Set(candidates.filter((candidate) => candidate.startsWith(word)))].sort();
  return [hits, word];
}

/** $XDG_STATE_HOME/pvm/history (default ~/.local/state/pvm/history). */
function historyFile(): string {
  const state = process.env.XDG_STATE_HOME || join(process.env.HOME || homedir(), '.local', 'state');
  return join(state, 'pvm', 'history');
}

/** The last lines of the history file, newest first (as readline keeps them); none if it cannot be read, is not a regular file or is over 16 MiB. */
function loadHistory(path: string): string[] {
  try {
    const text = readBoundedFile(path, 16 << 20, () => new Error('no history'));
    return text.split('\n').filter((line) => line !== '').slice(-HISTORY_LINES).reverse();
  } catch {
    return [];
  }
}

/** History is a convenience: a file that cannot be written is left alone. */
function attemptAppend(path: string, line: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (notAppendable(path) !== undefined) return; // a FIFO there would block the session
    appendFileSync(path, `${line}\n`, { mode: 0o600 });
  } catch {
    // no history, then
  }
}
