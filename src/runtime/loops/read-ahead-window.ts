// Reads ahead for a window of loop iterations (or for a run of straight-line
// steps: a window of one): for each level of the read-ahead plan, compute every
// iteration's addresses and read them all in one coalesced batch. Iterations
// then take their values from here when, and only when, they read the same
// address: a read-ahead is a cache, never a guess.
import type { MemoryType, PlanExpr, PlanStep, ReadAhead } from '../../plan/plan.ts';
import type { MemorySource, ReadRequest, ReadResult } from '../../target/target.ts';
import { readCoalesced } from './coalesce.ts';
import { compileExpr, type EvalContext } from '../evaluation/evaluate.ts';
import type { Scope } from '../evaluation/scope.ts';
import { numeric, readLength, type Value } from '../evaluation/value.ts';

/** One site's reads read ahead in a window, by iteration index (an iteration whose address was not known ahead has none). */
export interface SiteReadAhead {
  readonly addresses: (bigint | undefined)[];
  readonly lengths: number[];
  readonly results: (ReadResult | undefined)[];
}

/** Reads read ahead, by site. */
export type ReadAheadCache = Map<number, SiteReadAhead>;

/** Thrown inside a simulated iteration when a value is not known ahead. */
class NotKnown extends Error {}
const NOT_KNOWN = new NotKnown();

export interface ReadAheadWindow {
  readonly readAhead: ReadAhead;
  readonly body: readonly PlanStep[];
  /** The read nodes of the recipe, by site. */
  readonly sites: ReadonlyMap<number, Extract<PlanExpr, { op: 'read' }>>;
  /** Builds iteration `index`'s scope (loop variable declared) over the loop's scope. */
  readonly iterationScope: (index: number) => Scope;
  readonly count: number;
  readonly target: MemorySource;
  /** Evaluation with reads answered by `read`. */
  readonly context: (read: EvalContext['read']) => EvalContext;
  /** Turns a read result into a value, or throws (a fault): the same decoding as live reads. */
  readonly decode: (type: MemoryType, result: ReadResult) => Value;
  /** Memory reused for iteration `index`'s read at `site`, if its value dies with the iteration (reused-reads.ts). */
  readonly into?: ((site: number, index: number, length: number) => Uint8Array | undefined) | undefined;
}

/** The result read ahead for a read of `length` bytes at `address` by iteration `index`, if there is one. */
export function readAheadResult(site: SiteReadAhead | undefined, index: number, address: bigint, length: number): ReadResult | undefined {
  if (site === undefined || site.addresses[index] !== address || site.lengths[index] !== length) return undefined;
  return site.results[index];
}

export function readAheadWindow(window: ReadAheadWindow): ReadAheadCache {
  const cache: ReadAheadCache = new Map();
  const lets = window.body.filter((s): s is Extract<PlanStep, { op: 'let' }> => s.op === 'let' && window.readAhead.lets.includes(s.name)).map((s) => ({ name: s.name, value: compileExpr(s.value) }));
  const levels = [...new Set(window.readAhead.sites.map((s) => s.level))];
  /** The iteration being simulated: reads of lower levels come from the cache. */
  let index = 0;
  const context = window.context((type, address, _loc, site) => {
    const result = readAheadResult(cache.get(site), index, address, readLength(type));
    if (result === undefined) throw NOT_KNOWN;
    try {
      return window.decode(type, result);
    } catch {
      throw NOT_KNOWN; // a fault is raised by the real read, where the recipe makes it
    }
  });

  for (const level of levels) {
    const sites = window.readAhead.sites.filter((s) => s.level === level).map((s) => window.sites.get(s.site)!);
    const addressesOf = sites.map((site) => compileExpr(site.address));
    const lengths = sites.map((site) => readLength(site.type));
    const entries = sites.map((site) => {
      const entry: SiteReadAhead = { addresses: new Array(window.count), lengths: new Array(window.count), results: new Array(window.count) };
      cache.set(site.site, entry);
      return entry;
    });
    const requests: ReadRequest[] = [];
    const owners: number[] = []; // site's entry × count + index, for each request
    for (index = 0; index < window.count; index++) {
      const env = window.iterationScope(index);
      // A value that cannot be known ahead (a read not read ahead, or any error, which the real run raises) is left out.
      for (const let_ of lets) {
        try {
          env.declare(let_.name, let_.value(env, context));
        } catch {
          // not known ahead
        }
      }
      for (let s = 0; s < sites.length; s++) {
        let address: bigint | undefined;
        try {
          address = numeric(addressesOf[s]!(env, context))?.value;
        } catch {
          continue;
        }
        if (address === undefined || address < 0n || address >= 1n << 64n) continue;
        const length = lengths[s]!;
        requests.push({ address, length });
        owners.push(s * window.count + index);
        entries[s]!.addresses[index] = address;
        entries[s]!.lengths[index] = length;
      }
    }
    const into = window.into;
    const results = readCoalesced(window.target, requests, into && ((i) => into(sites[Math.floor(owners[i]! / window.count)]!.site, owners[i]! % window.count, requests[i]!.length)));
    for (let i = 0; i < owners.length; i++) {
      const owner = owners[i]!;
      entries[Math.floor(owner / window.count)]!.results[owner % window.count] = results[i]!;
    }
  }
  return cache;
}
