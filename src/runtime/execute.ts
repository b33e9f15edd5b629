// Walks a plan against a target. Prints and emits go to a sink as events;
// the CLI decides how they look. Nothing here prints or exits.
import { AssertionFailed, RecipeError, TargetError, assertNever } from '../errors.ts';
import type { Loc, MemoryType, Plan, PlanExpr, PlanStep } from '../plan/plan.ts';
import type { ReadResult, Target } from '../target/target.ts';
import { Budget, type Limits } from './budget.ts';
import { compare, evaluate, type EvalContext } from './evaluate.ts';
import { explainFault } from './explain-fault.ts';
import { locate, type SourcePoint } from './locate.ts';
import { readSites } from '../plan/walk.ts';
import { ModuleResolver } from './modules.ts';
import { prefetchWindow, type PrefetchCache } from './prefetch.ts';
import { Scope } from './scope.ts';
import { decode, hexAddress, int, numeric, ptr, readLength, type Value } from './value.ts';

export type OutputEvent =
  | { readonly type: 'print'; readonly values: readonly Value[]; readonly line: number }
  | { readonly type: 'emit'; readonly name: string; readonly value: Value; readonly line: number };

export interface ExecuteOptions {
  readonly plan: Plan;
  readonly target: Target;
  /** Bound params (see params.ts). */
  readonly params: ReadonlyMap<string, Value>;
  readonly output: (event: OutputEvent) => void;
  /** Budgets; the defaults of budget.ts unless a caller narrows them. */
  readonly limits?: Limits;
}

const ADDRESS_LIMIT = 1n << 64n;
const utf8 = new TextDecoder('utf-8');

export function execute({ plan, target, params, output, limits }: ExecuteOptions): void {
  // SPEC §1's wording: `0x7f00dead0000 is not mapped in pid 4242 (nearest region: …)`.
  const addressSpace = target.identity.pid === undefined ? target.identity.name : `pid ${target.identity.pid}`;
  const budget = new Budget(limits);
  const at = (loc: Loc) => () => locate(plan.recipe.name, loc);

  /** Prefetched results of the loops now running, by site (a site belongs to one loop). */
  const active = new Map<number, { cache: PrefetchCache; index: number }>();

  const read = (type: MemoryType, address: bigint, loc: Loc, site: number): Value => {
    if (address < 0n || address >= ADDRESS_LIMIT) {
      throw new TargetError('bad-address', `cannot read ${type.name} at ${hexAddress(address)}: not an address (outside 0 to 2^64-1)`, {
        ...at(loc)(),
        hint: 'check the address arithmetic',
      });
    }
    const length = readLength(type);
    budget.read(length, at(loc));
    const frame = active.get(site);
    const hit = frame?.cache.get(site)?.get(frame.index);
    const result = hit !== undefined && hit.address === address && hit.length === length ? hit.result : target.read([{ address, length }])[0]!;
    const value = valueOf(type, result);
    if (value !== undefined) return value;
    const faultAt = result.fault?.address ?? address;
    throw new TargetError('unmapped', `cannot read ${type.name} at ${hexAddress(address)}: ${explainFault(faultAt, target.regions(), addressSpace, 'r')}`, {
      ...at(loc)(),
      hint: target.identity.pid === undefined ? 'check the address arithmetic' : `check the address arithmetic; \`pvm maps --pid ${target.identity.pid}\` lists the mapped regions`,
    });
  };

  const modules = new ModuleResolver(target);
  const contextFor = (env: Scope, reader: EvalContext['read'] = read): EvalContext => ({ env, read: reader, modules, locate: (loc) => locate(plan.recipe.name, loc) });
  const sites = readSites(plan.steps);

  const run = (steps: readonly PlanStep[], env: Scope): void => {
    const context = contextFor(env);
    const value = (e: PlanExpr) => evaluate(e, context);
    for (const step of steps) {
      budget.step(at(step.loc));
      switch (step.op) {
        case 'let':
          env.declare(step.name, value(step.value));
          break;
        case 'assign':
          env.assign(step.name, value(step.value));
          break;
        case 'print':
          output({ type: 'print', values: step.values.map(value), line: step.loc.line });
          break;
        case 'emit':
          output({ type: 'emit', name: step.name, value: value(step.value), line: step.loc.line });
          break;
        case 'if': {
          const condition = value(step.condition);
          run(condition.kind === 'bool' && condition.value ? step.then : step.otherwise, env.child());
          break;
        }
        case 'for': {
          const from = numeric(value(step.from))!;
          const to = numeric(value(step.to))!;
          const limit = step.limit === undefined ? undefined : numeric(value(step.limit))!.value;
          if (limit !== undefined && limit < 0n) {
            throw new RecipeError('bad-limit', `limit ${limit} is negative`, { ...at(step.loc)(), hint: 'give a limit of 0 or more' });
          }
          const count = budget.iterations(to.value > from.value ? to.value - from.value : 0n, limit, at(step.loc));
          for (let first = 0n; first < count; first += WINDOW) {
            const size = Number(count - first < WINDOW ? count - first : WINDOW);
            const iterationScope = (index: number): Scope => {
              const body = env.child();
              const i = first + BigInt(index);
              body.declare(step.variable, from.kind === 'ptr' ? ptr(from.value + i) : int(from.value + i));
              return body;
            };
            const cache: PrefetchCache =
              step.prefetch.sites.length > 0 && size > 1
                ? prefetchWindow({ prefetch: step.prefetch, body: step.body, sites, iterationScope, count: size, target, context: contextFor, decode: decodeOrThrow })
                : new Map();
            const frame = { cache, index: 0 };
            for (const { site } of step.prefetch.sites) active.set(site, frame);
            for (let index = 0; index < size; index++) {
              frame.index = index;
              run(step.body, iterationScope(index));
            }
            for (const { site } of step.prefetch.sites) active.delete(site);
          }
          break;
        }
        case 'assert':
          checkAssertion(step, context, at(step.loc));
          break;
        default:
          assertNever(step);
      }
    }
  };

  run(plan.steps, new Scope(undefined, params));
}

/** Iterations prefetched and run together: large enough for full 1024-iovec calls, small enough to bound memory. */
const WINDOW = 16384n;

/** A read's value, or undefined when it faulted before the value was complete. */
function valueOf(type: MemoryType, result: ReadResult): Value | undefined {
  if (type.kind === 'cstring') {
    const nul = result.bytes.subarray(0, result.done).indexOf(0);
    if (nul >= 0 || result.fault === undefined) return { kind: 'str', value: utf8.decode(result.bytes.subarray(0, nul >= 0 ? nul : result.done)) };
    return undefined;
  }
  return result.fault === undefined ? decode(type, result.bytes) : undefined;
}

function decodeOrThrow(type: MemoryType, result: ReadResult): Value {
  const value = valueOf(type, result);
  if (value === undefined) throw new Error('faulted');
  return value;
}

/** Fails with the message and, for a comparison, the values on both sides. */
function checkAssertion(step: Extract<PlanStep, { op: 'assert' }>, context: EvalContext, at: () => SourcePoint): void {
  let detail = '';
  let holds: boolean;
  if (step.condition.op === 'compare') {
    // Each side is evaluated once: a read must not happen twice to explain a failure.
    const left = evaluate(step.condition.left, context);
    const right = evaluate(step.condition.right, context);
    holds = compare(step.condition.operator, left, right);
    detail = `${showValue(left)} ${step.condition.operator} ${showValue(right)} is false`;
  } else {
    const condition = evaluate(step.condition, context);
    holds = condition.kind === 'bool' && condition.value;
  }
  if (holds) return;
  const message = step.message === undefined ? undefined : evaluate(step.message, context);
  const text = message?.kind === 'str' ? message.value : undefined;
  throw new AssertionFailed('assert', `assertion failed${text === undefined ? '' : `: ${text}`}${detail === '' ? '' : ` (${detail})`}`, {
    ...at(),
    hint: 'the target is not in the state this recipe expects',
  });
}

function showValue(value: Value): string {
  switch (value.kind) {
    case 'ptr':
      return hexAddress(value.value);
    case 'region':
      return hexAddress(value.start);
    case 'str':
      return JSON.stringify(value.value);
    default:
      return String(value.value);
  }
}
