// Binds `--arg NAME=VALUE` to the plan's params before any target is opened,
// so a bad argument is a usage error (exit 2) that touches nothing.
import { UsageError } from '../errors.ts';
import { integerRange } from '../plan/arithmetic.ts';
import type { MemoryType, Plan } from '../plan/plan.ts';
import { closest } from '../suggest.ts';
import { evaluateConstant } from './evaluate.ts';
import { locate } from './locate.ts';
import { hexAddress, int, numeric, ptr, type Value } from './value.ts';

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

/** The value of every param: from --arg, else its default; errors name the param. */
export function bindParams(plan: Plan, args: ReadonlyMap<string, string>): Map<string, Value> {
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
