// Binds `--arg NAME=VALUE` to the plan's params before any target is opened,
// so a bad argument is a usage error (exit 2) that touches nothing.
import { UsageError } from '../errors.ts';
import { MAX_ARG_FILE_BYTES } from '../limits.ts';
import { integerRange } from '../plan/arithmetic.ts';
import type { MemoryType, Plan } from '../plan/plan.ts';
import { readBoundedFile } from '../regular-file.ts';
import { closest } from '../suggest.ts';
import { evaluateConstant } from './evaluation/evaluate.ts';
import { locate } from './locate.ts';
import { int, numeric, type PathBase, type PointerPath, ptr, str, type Value } from './evaluation/value.ts';
import { hexAddress } from '../bytes.ts';

/** Parses `NAME=VALUE` pairs as given on the command line. */
export function parseArgPairs(pairs: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError('bad-arg', `--arg ${JSON.stringify(pair)} is not NAME=VALUE`, { hint: 'write e.g. --arg counter=0x7ffd1234' });
    }
    if (args.has(name)) throw new UsageError('bad-arg', `--arg ${name} is given twice`, { hint: 'give each param once' });
    args.set(name, pair.slice(eq + 1));
  }
  return args;
}

/**
 * The value of every param: from --arg, else its default; errors name the
 * param. `readArgFile` reads the FILE of a list param's `@FILE`.
 */
export function bindParams(plan: Plan, args: ReadonlyMap<string, string>, readArgFile: (path: string, strict?: boolean) => string = readBoundedArgFile): Map<string, Value> {
  const names = plan.params.map((p) => p.name);
  for (const name of args.keys()) {
    if (!names.includes(name)) {
      const suggestion = closest(name, names);
      throw new UsageError('unknown-arg', `--arg ${name}: ${plan.recipe.name} has no param '${name}'`, {
        hint: suggestion !== undefined ? `did you mean --arg ${suggestion}=…?` : names.length === 0 ? 'this recipe takes no params' : `its params are: ${names.join(', ')}`,
      });
    }
  }
  const bound = new Map<string, Value>();
  for (const param of plan.params) {
    const text = args.get(param.name);
    if (param.type.kind === 'string') {
      if (text !== undefined) bound.set(param.name, parseStringArg(param.name, text, readArgFile));
      else if (param.default !== undefined) bound.set(param.name, evaluateConstant(param.default, bound, (loc) => locate(plan.recipe.name, loc)));
      else throw new UsageError('missing-arg', `param '${param.name}' (line ${param.loc.line}) needs a value`, { hint: `pass --arg ${param.name}=TEXT or --arg ${param.name}=@FILE` });
      continue;
    }
    if (param.type.kind === 'paths') {
      if (text !== undefined) bound.set(param.name, parsePathsArg(param.name, text, readArgFile));
      else throw new UsageError('missing-arg', `param '${param.name}' (line ${param.loc.line}) needs a value`, { hint: `pass --arg ${param.name}=@FILE: the --json output of a recipe that emits ${param.name} = pointerscan to …` });
      continue;
    }
    if (param.type.kind === 'list') {
      if (text !== undefined) bound.set(param.name, parseListArg(param.name, text, readArgFile));
      else if (param.default !== undefined) bound.set(param.name, evaluateConstant(param.default, bound, (loc) => locate(plan.recipe.name, loc)));
      else throw new UsageError('missing-arg', `param '${param.name}' (line ${param.loc.line}) needs a value`, { hint: `pass --arg ${param.name}=0x1000,0x2000 or --arg ${param.name}=@hits.json` });
      continue;
    }
    if (text !== undefined) {
      bound.set(param.name, parseArgValue(param.name, param.type, text));
    } else if (param.default !== undefined) {
      // The checker guarantees a numeric default (a float one for a float param).
      const constant = evaluateConstant(param.default, bound, (loc) => locate(plan.recipe.name, loc));
      if (param.type.kind === 'float') {
        bound.set(param.name, constant.kind === 'float' ? constant : { kind: 'float', value: Number(numeric(constant)!.value) });
        continue;
      }
      const value = numeric(constant)!;
      bound.set(param.name, checkRange(param.name, param.type, value.value, `default ${hexOrDec(value)}`));
    } else {
      throw new UsageError('missing-arg', `param '${param.name}' (line ${param.loc.line}) needs a value`, { hint: `pass --arg ${param.name}=…` });
    }
  }
  return bound;
}

/**
 * A string param's text: as given, or `@FILE`'s text (UTF-8, at most
 * MAX_ARG_FILE_BYTES, without the one newline that ends it, as the shell's
 * `$(cat FILE)` drops it); `@@` gives a text that starts with `@`.
 */
function parseStringArg(name: string, text: string, readArgFile: (path: string, strict?: boolean) => string): Value {
  if (text.startsWith('@@')) return str(text.slice(1));
  if (!text.startsWith('@')) return str(text);
  const path = text.slice(1);
  try {
    return str(readArgFile(path, true).replace(/\r?\n$/, ''));
  } catch (error) {
    const fix = (error as { fix?: string }).fix;
    throw new UsageError('bad-arg', `--arg ${name}=${text}: cannot read ${path}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, {
      hint: fix ?? `give the path of a UTF-8 text file after @ (for bytes that are not text, write hex"…" in the recipe); to pass a text that starts with @, write @@`,
    });
  }
}

/**
 * A list param's addresses: `0x10,0x20` on the command line, or `@FILE`
 * holding a JSON array (of numbers or "0x…" strings), or the JSON lines of
 * `pvm run --json`, whose last `emit` of the param's name is taken: so one
 * recipe's hits feed the next.
 */
function parseListArg(name: string, text: string, readArgFile: (path: string) => string): Value {
  const fail = (why: string, hint = `write --arg ${name}=0x1000,0x2000, or --arg ${name}=@FILE with a JSON array or the --json output of a recipe that emits ${name}`): never => {
    throw new UsageError('bad-arg', `--arg ${name}=${text}: ${why}`, { hint });
  };
  const address = (item: unknown): Value => {
    const itemText = typeof item === 'number' && Number.isSafeInteger(item) ? String(item) : typeof item === 'string' ? item : undefined;
    if (itemText === undefined || !INTEGER.test(itemText) || itemText.startsWith('-')) return fail(`${JSON.stringify(item)} is not an address`);
    const value = BigInt(itemText.replaceAll('_', '').toLowerCase());
    if (value >= 1n << 64n) return fail(`${itemText} is past 2^64`);
    return ptr(value);
  };
  if (!text.startsWith('@')) return { kind: 'list', items: text.trim() === '' ? [] : text.split(',').map((item) => address(item.trim())) };
  return { kind: 'list', items: arrayArg(name, text.slice(1), readArgFile, fail).map(address) };
}

/**
 * A paths param's pointer paths: `@FILE` holding what a pointerscan emitted,
 * as a JSON array of `{"base": "app+0x4040", "offsets": ["0x18", "0x0"]}`
 * or the JSON lines of `pvm run --json` (its last `emit` of the name).
 */
function parsePathsArg(name: string, text: string, readArgFile: (path: string) => string): Value {
  const fail = (why: string, hint = `write --arg ${name}=@FILE with the --json output of a recipe that emits ${name} (emit ${name} = pointerscan to …), or a JSON array of {"base": "app+0x4040", "offsets": ["0x18"]}`): never => {
    throw new UsageError('bad-arg', `--arg ${name}=${text.length > 60 ? `${text.slice(0, 60)}…` : text}: ${why}`, { hint });
  };
  if (!text.startsWith('@')) return fail('pointer paths come from a file');
  const baseProblem = (base: unknown): string => {
    if (typeof base !== 'string') return 'it has no "base" such as "app+0x4040" or "threadstack0-0x1d8"';
    if (INTEGER.test(base)) return `its base ${base} is an address: a base is MODULE+OFFSET ("app+0x4040") or threadstackN-OFFSET, which hold from one run of the program to the next`;
    return `its base "${base}" is neither MODULE+OFFSET ("app+0x4040") nor threadstackN-OFFSET ("threadstack0-0x1d8")`;
  };
  const offset = (item: unknown): bigint | undefined => {
    const itemText = typeof item === 'number' && Number.isSafeInteger(item) ? String(item) : typeof item === 'string' ? item : undefined;
    if (itemText?.startsWith('-') === true && INTEGER.test(itemText)) return fail(`${itemText} is negative: a pointer path's offsets are 0 or more`);
    if (itemText === undefined || !INTEGER.test(itemText)) return undefined;
    const value = BigInt(itemText.replaceAll('_', '').toLowerCase());
    return value < 1n << 64n ? value : undefined;
  };
  const baseOf = (base: unknown): PathBase | undefined => {
    if (typeof base !== 'string') return undefined;
    const stack = /^threadstack(\d+)-(.+)$/.exec(base);
    const below = stack === null ? undefined : offset(stack[2]);
    if (stack !== null && below !== undefined) return { kind: 'stack', thread: Number(stack[1]), offset: below };
    const plus = base.lastIndexOf('+');
    const past = plus > 0 ? offset(base.slice(plus + 1)) : undefined;
    return past === undefined ? undefined : { kind: 'module', module: base.slice(0, plus), offset: past };
  };
  const path = (item: unknown, i: number): PointerPath => {
    const shown = () => JSON.stringify(item)?.slice(0, 80);
    const { base, offsets } = (typeof item === 'object' && item !== null ? item : {}) as { base?: unknown; offsets?: unknown };
    const start = baseOf(base);
    if (start === undefined) return fail(`item ${i} (${shown()}): ${baseProblem(base)}`);
    // No offsets: a static address itself, as a pointer scan gives an ADDR in static memory.
    const steps = Array.isArray(offsets) ? offsets.map(offset) : [undefined];
    if (steps.some((o) => o === undefined)) return fail(`item ${i} (${shown()}) has no "offsets" such as ["0x18", "0x0"]`);
    return { base: start, offsets: steps as bigint[] };
  };
  return { kind: 'paths', items: arrayArg(name, text.slice(1), readArgFile, fail, 'pointerscan to ADDR depth D offset MAX').map(path) };
}

/** The JSON array in the file at `path`, or the value of the last `emit` of `name` in the JSON lines of `pvm run --json`. */
function arrayArg(name: string, path: string, readArgFile: (path: string) => string, fail: (why: string, hint?: string) => never, emitted = '…'): unknown[] {
  let content: string;
  try {
    content = readArgFile(path);
  } catch (error) {
    const fix = (error as { fix?: string }).fix;
    return fail(`cannot read ${path}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, fix ?? 'give the path of a JSON file after @');
  }
  const lines = content.split('\n').filter((line) => line.trim() !== '');
  const parsed = lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return undefined;
    }
  });
  const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : fail(`${path} holds ${JSON.stringify(value)?.slice(0, 40)}, not a list`));
  if (parsed.length > 0 && parsed.every((entry) => typeof entry === 'object' && entry !== null && 'type' in entry)) {
    const emits = parsed.filter((entry): entry is { type: string; name: string; value: unknown } => (entry as { type: string }).type === 'emit');
    const mine = emits.filter((entry) => entry.name === name).pop();
    if (mine === undefined) return fail(`${path} has no emit named '${name}'${emits.length > 0 ? ` (it emits ${[...new Set(emits.map((e) => e.name))].join(', ')})` : ''}`, `emit it in the first recipe: emit ${name} = ${emitted}`);
    return array(mine.value);
  }
  let whole: unknown;
  try {
    whole = JSON.parse(content) as unknown;
  } catch {
    if (content.startsWith(`${name} = `)) return fail(`${path} holds pvm's output for people (${name} = …), not its JSON`, 'run the first recipe again with --json, and give that output');
    return fail(`${path} is neither a JSON array nor the JSON lines of pvm run --json`);
  }
  return array(whole);
}

function hexOrDec(value: { kind: 'int' | 'ptr'; value: bigint }): string {
  return value.kind === 'ptr' ? hexAddress(value.value) : String(value.value);
}

const INTEGER = /^-?(0x[0-9a-f][0-9a-f_]*|0b[01][01_]*|[0-9][0-9_]*)$/i;

function parseArgValue(name: string, type: MemoryType, text: string): Value {
  if (type.kind === 'float') {
    const value = Number(text);
    if (text.trim() === '' || Number.isNaN(value)) throw new UsageError('bad-arg', `--arg ${name}=${text}: not a number`, { hint: 'write e.g. 1.5' });
    return { kind: 'float', value };
  }
  if (!INTEGER.test(text)) {
    throw new UsageError('bad-arg', `--arg ${name}=${text}: '${text}' is not an integer`, {
      hint: `param '${name}' is ${type.name}: write a decimal, 0x hex or 0b binary integer, e.g. --arg ${name}=0x7ffd1234`,
    });
  }
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).replaceAll('_', '');
  const magnitude = BigInt(digits.toLowerCase().startsWith('0x') || digits.toLowerCase().startsWith('0b') ? digits.toLowerCase() : digits);
  return checkRange(name, type, negative ? -magnitude : magnitude, text);
}

function checkRange(name: string, type: MemoryType, value: bigint, shown: string): Value {
  if (type.kind === 'ptr') {
    if (value < 0n || value >= 1n << 64n) {
      throw new UsageError('arg-range', `--arg ${name}=${shown}: an address must be between 0 and 0xffffffffffffffff`, { hint: 'pass the address as printed by `pvm maps` or your debugger' });
    }
    return ptr(value);
  }
  if (type.kind === 'int') {
    const { min, max } = integerRange(type);
    if (value < min || value > max) {
      throw new UsageError('arg-range', `--arg ${name}=${shown}: out of range for ${type.name} (${min} to ${max})`, { hint: `pass a value that fits ${type.name}, or declare the param with a wider type` });
    }
  }
  return int(value);
}

/** An `@FILE`'s text: a regular file of at most MAX_ARG_FILE_BYTES (regular-file.ts); `strict`, only UTF-8. */
function readBoundedArgFile(path: string, strict = false): string {
  return readBoundedFile(path, MAX_ARG_FILE_BYTES, ({ why, fix }) => Object.assign(new Error(why), { fix }), strict);
}
