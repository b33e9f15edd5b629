// A `patch` as one transaction (SPEC §2): read every site in one batch; if all
// already hold their new bytes, report "already applied" and write nothing; if
// any differs from what it expects, write nothing and fail (exit 1) showing
// each such site; else write all, read them back, and restore the old bytes
// of every site if anything did not land. Nothing stays half-applied.
import { hexLiteral, toHex } from '../bytes.ts';
import { AssertionFailed, RecipeError, TargetError } from '../errors.ts';
import type { Loc } from '../plan/plan.ts';
import type { Target } from '../target/target.ts';
import type { Encoded } from './encode.ts';
import { explainFault } from './explain-fault.ts';
import type { SourcePoint } from './locate.ts';
import { Matcher } from './match.ts';
import { hexAddress } from './value.ts';

export interface ResolvedSite {
  readonly address: bigint;
  readonly expect: Encoded;
  readonly replacement: Uint8Array;
  readonly loc: Loc;
}

export interface PatchOutcome {
  readonly status: 'applied' | 'already applied';
  readonly sites: readonly { readonly address: bigint; readonly before: Uint8Array; readonly after: Uint8Array }[];
}

export interface PatchContext {
  readonly target: Target;
  /** `pid 4242`, for messages. */
  readonly space: string;
  readonly locate: (loc: Loc) => SourcePoint;
  /** Where the patch statement is. */
  readonly at: SourcePoint;
}

export function applyPatch(sites: readonly ResolvedSite[], { target, space, locate, at }: PatchContext): PatchOutcome {
  checkShape(sites, locate);
  const before = readSites(target, sites, space, locate, 'read');
  if (sites.every((site, i) => equal(before[i]!, site.replacement))) {
    return { status: 'already applied', sites: sites.map((s, i) => ({ address: s.address, before: before[i]!, after: s.replacement })) };
  }
  const mismatches = sites.flatMap((site, i) => (matches(site.expect, before[i]!) ? [] : [{ site, found: before[i]! }]));
  if (mismatches.length > 0) {
    const lines = mismatches.map(({ site, found }) => `  at ${hexAddress(site.address)} (line ${site.loc.line}): expected ${describe(site.expect)}, found ${spaced(found)}`);
    throw new AssertionFailed('patch-mismatch', `patch not applied: ${mismatches.length} of ${sites.length} site${sites.length === 1 ? '' : 's'} did not hold the expected bytes; nothing was written\n${lines.join('\n')}`, {
      ...at,
      hint: 'the target is not the build or state this patch was written for; check its version, or update the expected bytes',
    });
  }
  const written = target.write(sites.map((s) => ({ address: s.address, bytes: s.replacement })));
  const failed = written.findIndex((r) => r.fault !== undefined);
  const after = failed < 0 ? readSites(target, sites, space, locate, 'read back') : [];
  const differs = after.findIndex((bytes, i) => !equal(bytes, sites[i]!.replacement));
  if (failed >= 0 || differs >= 0) {
    // Put back what was there, on every site that may have changed.
    target.write(sites.map((s, i) => ({ address: s.address, bytes: before[i]! })));
    const site = sites[failed >= 0 ? failed : differs]!;
    const why = failed >= 0 ? explainFault(written[failed]!.fault!.address, target.regions(), space, 'w') : `it reads back as ${spaced(after[differs]!)}`;
    throw new TargetError('patch-failed', `patch not applied: the write at ${hexAddress(site.address)} did not land (${why}); every site was restored to its old bytes`, {
      ...locate(site.loc),
      hint: failed >= 0 ? 'patch writable data only for now: code pages (r-x) need /proc/PID/mem, which pvm does not use for patches yet' : 'something else changes this memory; freeze the target or retry',
    });
  }
  return { status: 'applied', sites: sites.map((s, i) => ({ address: s.address, before: before[i]!, after: s.replacement })) };
}

/** Sizes match, and no two sites overlap (the transaction could not say which bytes are whose). */
function checkShape(sites: readonly ResolvedSite[], locate: (loc: Loc) => SourcePoint): void {
  for (const site of sites) {
    const expected = site.expect.kind === 'bytes' ? site.expect.bytes.length : new Matcher(site.expect.pattern).maxLength;
    if (expected !== site.replacement.length) {
      throw new RecipeError('patch-length', `the site at ${hexAddress(site.address)} expects ${expected} bytes but writes ${site.replacement.length}`, {
        ...locate(site.loc),
        hint: 'expect exactly the bytes the patch replaces (pad with ??), so a revert restores all of them',
      });
    }
  }
  const sorted = [...sites].sort((a, b) => (a.address < b.address ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    if (previous.address + BigInt(previous.replacement.length) > sorted[i]!.address) {
      throw new RecipeError('patch-overlap', `patch sites at ${hexAddress(previous.address)} and ${hexAddress(sorted[i]!.address)} overlap`, {
        ...locate(sorted[i]!.loc),
        hint: 'merge them into one site',
      });
    }
  }
}

function readSites(target: Target, sites: readonly ResolvedSite[], space: string, locate: (loc: Loc) => SourcePoint, what: string): Uint8Array[] {
  const results = target.read(sites.map((s) => ({ address: s.address, length: s.replacement.length })));
  return results.map((result, i) => {
    if (result.fault !== undefined) {
      const site = sites[i]!;
      throw new TargetError('unmapped', `patch not applied: cannot ${what} the site at ${hexAddress(site.address)}: ${explainFault(result.fault.address, target.regions(), space, 'r')}; nothing was written`, {
        ...locate(site.loc),
        hint: 'check the address of this site',
      });
    }
    return result.bytes.slice(0, sites[i]!.replacement.length);
  });
}

function matches(expect: Encoded, found: Uint8Array): boolean {
  if (expect.kind === 'bytes') return equal(expect.bytes, found);
  let hit = false;
  new Matcher(expect.pattern).find(found, 0, 1, () => ((hit = true), false));
  return hit;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function describe(expect: Encoded): string {
  return expect.kind === 'bytes' ? spaced(expect.bytes) : `hex"${expect.text}"`;
}

function spaced(bytes: Uint8Array): string {
  return hexLiteral(toHex(bytes));
}
