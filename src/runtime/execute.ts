// Walks a plan against a target. Prints and emits go to a sink as events;
// the CLI decides how they look. Nothing here prints or exits.
import { TargetError, assertNever } from '../errors.ts';
import type { Loc, MemoryType, Plan } from '../plan/plan.ts';
import { describeTarget, type Target } from '../target/target.ts';
import { evaluate, type EvalContext } from './evaluate.ts';
import { explainFault } from './explain-fault.ts';
import { locate } from './locate.ts';
import { ModuleResolver } from './modules.ts';
import { decode, hexAddress, readLength, type Value } from './value.ts';

export type OutputEvent =
  | { readonly type: 'print'; readonly values: readonly Value[]; readonly line: number }
  | { readonly type: 'emit'; readonly name: string; readonly value: Value; readonly line: number };

export interface ExecuteOptions {
  readonly plan: Plan;
  readonly target: Target;
  /** Bound params (see params.ts). */
  readonly params: ReadonlyMap<string, Value>;
  readonly output: (event: OutputEvent) => void;
}

const ADDRESS_LIMIT = 1n << 64n;
const utf8 = new TextDecoder('utf-8');

export function execute({ plan, target, params, output }: ExecuteOptions): void {
  const env = new Map(params);
  const who = describeTarget(target.identity);

  const read = (type: MemoryType, address: bigint, loc: Loc): Value => {
    const at = () => locate(plan.recipe.name, loc);
    if (address < 0n || address >= ADDRESS_LIMIT) {
      throw new TargetError('bad-address', `cannot read ${type.name} at ${hexAddress(address)}: not an address (outside 0 to 2^64-1)`, {
        ...at(),
        hint: 'check the address arithmetic',
      });
    }
    const length = readLength(type);
    const [result] = target.read([{ address, length }]);
    if (result === undefined) throw new Error('pvm internal error: target returned no result');
    if (type.kind === 'cstring') {
      const nul = result.bytes.subarray(0, result.done).indexOf(0);
      if (nul >= 0 || result.fault === undefined) {
        return { kind: 'str', value: utf8.decode(result.bytes.subarray(0, nul >= 0 ? nul : result.done)) };
      }
    } else if (result.fault === undefined) {
      return decode(type, result.bytes);
    }
    const faultAt = result.fault?.address ?? address;
    throw new TargetError('unmapped', `cannot read ${type.name} at ${hexAddress(address)}: ${explainFault(faultAt, target.regions(), who, 'r')}`, {
      ...at(),
      hint: target.identity.pid === undefined ? 'check the address arithmetic' : `check the address arithmetic; \`pvm maps --pid ${target.identity.pid}\` lists the mapped regions`,
    });
  };

  const context: EvalContext = { env, read, modules: new ModuleResolver(target), locate: (loc) => locate(plan.recipe.name, loc) };

  for (const step of plan.steps) {
    switch (step.op) {
      case 'let':
        env.set(step.name, evaluate(step.value, context));
        break;
      case 'print':
        output({ type: 'print', values: step.values.map((v) => evaluate(v, context)), line: step.loc.line });
        break;
      case 'emit':
        output({ type: 'emit', name: step.name, value: evaluate(step.value, context), line: step.loc.line });
        break;
      default:
        assertNever(step);
    }
  }
}
