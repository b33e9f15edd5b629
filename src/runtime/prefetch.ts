// Reads ahead for a window of loop iterations (or for a run of straight-line
// steps: a window of one): for each level of the prefetch plan, compute every
// iteration's addresses and read them all in one coalesced batch. Iterations
// then take their values from here when, and only when, they read the same
// address: a prefetch is a cache, never a guess.
import type { MemoryType, PlanExpr, PlanStep, Prefetch } from '../plan/plan.ts';
import type { MemorySource, ReadResult } from '../target/target.ts';
import { attempt } from '../attempt.ts';
import { readCoalesced } from './coalesce.ts';
import { type EvalContext, evaluate } from './evaluate.ts';
import type { Scope } from './scope.ts';
import { numeric, readLength, type Value } from './value.ts';

export interface Prefetched {
  readonly address: bigint;
  readonly length: number;
  readonly result: ReadResult;
}

/** Prefetched results by site, then by iteration index within the window. */
export type PrefetchCache = Map<number, Map<number, Prefetched>>;

/** Thrown inside a simulated iteration when a value is not known ahead. */
class NotKnown extends Error {}

export interface PrefetchWindow {
  readonly prefetch: Prefetch;
  readonly body: readonly PlanStep[];
  /** The read nodes of the recipe, by site. */
  readonly sites: ReadonlyMap<number, Extract<PlanExpr, { op: 'read' }>>;
  /** Builds iteration `index`'s scope (loop variable declared) over the loop's scope. */
  readonly iterationScope: (index: number) => Scope;
  readonly count: number;
  readonly target: MemorySource;
  readonly context: (env: Scope, read: EvalContext['read']) => EvalContext;
  /** Turns a read result into a value, or throws (a fault): the same decoding as live reads. */
  readonly decode: (type: MemoryType, result: ReadResult) => Value;
}

export function prefetchWindow(window: PrefetchWindow): PrefetchCache {
  const cache: PrefetchCache = new Map();
  const lets = window.body.filter((s): s is Extract<PlanStep, { op: 'let' }> => s.op === 'let' && window.prefetch.lets.includes(s.name));
  const levels = [...new Set(window.prefetch.sites.map((s) => s.level))];

  for (const level of levels) {
    const sites = window.prefetch.sites.filter((s) => s.level === level).map((s) => window.sites.get(s.site)!);
    const requests: { address: bigint; length: number }[] = [];
    const owners: { site: number; index: number }[] = [];
    for (let index = 0; index < window.count; index++) {
      const env = window.iterationScope(index);
      const read = (type: MemoryType, address: bigint, _loc: unknown, site: number): Value => {
        const hit = cache.get(site)?.get(index);
        if (hit === undefined || hit.address !== address) throw new NotKnown();
        try {
          return window.decode(type, hit.result);
        } catch {
          throw new NotKnown(); // a fault is raised by the real read, where the recipe makes it
        }
      };
      const context = window.context(env, read);
      for (const let_ of lets) {
        const value = attempt(() => evaluate(let_.value, context));
        if (value !== undefined) env.declare(let_.name, value);
      }
      for (const site of sites) {
        const address = attempt(() => numeric(evaluate(site.address, context))?.value);
        if (address === undefined || address < 0n || address >= 1n << 64n) continue;
        requests.push({ address, length: readLength(site.type) });
        owners.push({ site: site.site, index });
      }
    }
    const results = readCoalesced(window.target, requests);
    owners.forEach(({ site, index }, i) => {
      let bySite = cache.get(site);
      if (bySite === undefined) cache.set(site, bySite = new Map());
      bySite.set(index, { address: requests[i]!.address, length: requests[i]!.length, result: results[i]! });
    });
  }
  return cache;
}
