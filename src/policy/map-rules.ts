// The region rules for the map as it is now. Rules name regions (modules,
// `[heap]`, `anon`, symbols), and a live map changes under them (a library
// loaded, memory mapped since): they are made again from the map when it has
// changed, and a rule that cannot be resolved refuses the run (policies fail
// closed). Ranges are decided here; what is spent and audited is the meter's.
import { DeniedError } from '../errors.ts';
import { type AddressRange, describeTarget, type MemorySource, type Region } from '../target/target.ts';
import { type Decision, describeRule, RegionRules } from './decide.ts';
import type { LoadedPolicy } from './load.ts';
import type { Meter } from './meter.ts';
import { isAnonymous } from '../target/skip-rules.ts';
import type { MapWatch } from '../target/map-watch.ts';

/** `module:app`, `[heap]`, `anon`: the region a range starts in, as policies name regions. */
function regionName(regions: readonly Region[], address: bigint): string {
  const region = regions.find((r) => r.start <= address && address < r.end);
  if (region === undefined) return 'unmapped';
  if (region.path.startsWith('/') && !isAnonymous(region)) return `module:${region.path.slice(region.path.lastIndexOf('/') + 1)}`;
  return region.path === '' ? 'anon' : region.path;
}

/**
 * Whether every byte of [start, end) lies in the map (sorted by start): in
 * the region holding `start` and those that follow it without a gap. A range
 * that runs past them (into memory mapped since, at its end or between) is
 * outside.
 */
function inMap(regions: readonly Region[], start: bigint, end: bigint): boolean {
  let low = 0;
  let high = regions.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const region = regions[middle]!;
    if (start < region.start) high = middle - 1;
    else if (start >= region.end) low = middle + 1;
    else {
      let reach = region.end;
      for (let next = middle + 1; reach < end; next++) {
        if (next === regions.length || regions[next]!.start !== reach) return false;
        reach = regions[next]!.end;
      }
      return true;
    }
  }
  return false;
}

export class MapRules {
  /** Whether any policy has region rules (without them every range is allowed, and the map is never read for them). */
  readonly any: boolean;
  private rules: RegionRules | undefined;
  /** The map's version the rules were made from. */
  private madeFrom = 0;
  private readonly map: MapWatch;

  private readonly policies: readonly LoadedPolicy[];
  private readonly source: MemorySource;
  private readonly meter: Meter;
  /** [start, start + size) of a symbol, for `symbol:MODULE:NAME` selectors. */
  private readonly symbol: (module: string, name: string) => AddressRange | undefined;

  /** `map`: the map the rules are made from, which `symbol` resolves on too. */
  constructor(policies: readonly LoadedPolicy[], source: MemorySource, meter: Meter, map: MapWatch, symbol: (module: string, name: string) => AddressRange | undefined) {
    this.policies = policies;
    this.source = source;
    this.meter = meter;
    this.symbol = symbol;
    this.any = policies.some(({ policy }) => policy.read?.allow !== undefined || policy.read?.deny !== undefined || policy.write?.regions !== undefined);
    this.map = map;
  }

  /**
   * The rules for the map as it is now: made again when the map has changed,
   * which is looked at at once when a range reaches outside the map they were
   * made from or when `fresh`, and otherwise at most every few milliseconds
   * (map-watch.ts). The map last read is the one the rules were made from:
   * they are made again whenever its version moves.
   */
  current(fresh: boolean, ranges: readonly AddressRange[] = []): RegionRules {
    const last = this.map.last;
    const regions = this.map.regions(fresh || last === undefined || !ranges.every((range) => inMap(last, range.start, range.end)));
    if (this.rules === undefined || this.madeFrom !== this.map.version) {
      this.madeFrom = this.map.version;
      this.rules = new RegionRules(this.policies, { regions, symbol: this.symbol, unnamedRegions: this.source.unnamedRegions });
      this.refuseUnresolved(this.rules);
    }
    return this.rules;
  }

  /** A rule pvm cannot resolve here refuses the run: what it was meant to protect is unknown, so nothing may be read. */
  private refuseUnresolved({ unresolved }: RegionRules): void {
    const first = unresolved[0];
    if (first === undefined) return;
    this.meter.audit?.({ op: 'target', allowed: false, rule: first.rule, detail: `${first.selector}: ${first.why}` });
    throw new DeniedError('policy-unresolved', `denied: ${describeRule(first.rule)}: ${first.selector} cannot be resolved in ${describeTarget(this.source.identity)}: ${first.why}`, {
      hint: 'a rule pvm cannot resolve refuses the run (policies fail closed): correct the rule, or make what it names resolvable (a debug file: PVM_DEBUG_FILE_DIRECTORY)',
    });
  }

  /** Decides each range; a live map may have changed, so a denial is decided again on the map as it is now. */
  decide(ranges: readonly AddressRange[], decide: (rules: RegionRules, start: bigint, end: bigint) => Decision): { decision: Decision; at: AddressRange | undefined } {
    if (!this.any) return { decision: { allowed: true }, at: undefined };
    for (const fresh of [false, true]) {
      const current = this.current(fresh, ranges);
      const denied = ranges.map((r) => ({ r, d: decide(current, r.start, r.end) })).find((x) => !x.d.allowed);
      if (denied === undefined) return { decision: { allowed: true }, at: undefined };
      if (fresh) return { decision: denied.d, at: denied.r };
    }
    return { decision: { allowed: true }, at: undefined };
  }

  /** Why a scan leaves `region` out, if the rules deny reading it. */
  scanSkip(region: Region): string | undefined {
    if (!this.any) return undefined;
    const decision = this.current(false, [region]).read(region.start, region.end);
    return decision.allowed ? undefined : `denied by policy: ${describeRule(decision.rule)}`;
  }

  /** How policies name the region `address` is in, on the map the rules were made from (or the map as it is, before any). */
  regionOf(address: bigint): string {
    return regionName(this.map.last ?? this.source.regions(), address);
  }
}
