// A `patch` as one transaction (docs/language.md): read every site in one batch; if all
// already hold their new bytes, report "already applied" and write nothing; if
// any differs from what it expects, write nothing and fail (exit 1) showing
// each such site; else (unless this is a dry run) write all, read them back,
// and restore the old bytes of every site if anything did not land, as
// site-writer.ts does. Nothing stays half-applied.
import { bytesEqual, hexAddress, patternLiteral, quotedHex } from '../../bytes.ts';
import { AssertionFailed, DeniedError, PvmError, RecipeError, TargetError } from '../../errors.ts';
import { type FreezeReport, writeSites } from './site-writer.ts';
import type { Loc } from '../../plan/plan.ts';
import type { WritableTarget } from '../../target/target.ts';
import type { Encoded } from '../evaluation/encode.ts';
import { explainFault } from '../explain-fault.ts';
import type { SourcePoint } from '../locate.ts';
import { Matcher } from '../evaluation/match.ts';
import { count } from '../../count.ts';

export interface ResolvedSite {
  readonly address: bigint;
  readonly expect: Encoded;
  readonly replacement: Uint8Array;
  readonly loc: Loc;
}

export interface PatchOutcome {
  /** `would apply`: a dry run found every site as expected and wrote nothing. */
  readonly status: 'applied' | 'already applied' | 'would apply';
  /** The threads stopped for the write (code sites, or `freeze`), and for how long. */
  readonly frozen: FreezeReport | undefined;
  readonly sites: readonly { readonly address: bigint; readonly before: Uint8Array; readonly after: Uint8Array }[];
}

export interface PatchContext {
  readonly target: WritableTarget;
  /** `pid 4242`, for messages. */
  readonly space: string;
  readonly locate: (loc: Loc) => SourcePoint;
  /** Where the patch statement is. */
  readonly at: SourcePoint;
  /** Stop every thread for the write (`freeze`, --freeze); code sites always do. */
  readonly freeze: boolean;
  /** Verify and report, write nothing (--dry-run). */
  readonly dryRun: boolean;
  /** Told the sites about to be written, before the first write (the journal). */
  readonly beforeWrite?: ((sites: readonly { readonly address: bigint; readonly before: Uint8Array; readonly after: Uint8Array }[]) => void) | undefined;
  /**
   * Told the sites of a patch found already applied, with the bytes its `expect` says they held before (the
   * journal: a forked child inherits its parent's patched bytes, and is then revertible as its own process).
   * Not called when `expect` leaves a replaced byte open (a wildcard): what to restore there is unknown.
   */
  readonly foundApplied?: ((sites: readonly { readonly address: bigint; readonly before: Uint8Array; readonly after: Uint8Array }[]) => void) | undefined;
}

export function applyPatch(sites: readonly ResolvedSite[], { target, space, locate, at, freeze, dryRun, beforeWrite, foundApplied }: PatchContext): PatchOutcome {
  checkShape(sites, locate);
  // Each site's verified bytes: its `expect`, which may run past the bytes `with` replaces (an anchor, left alone).
  const verified = readSites(target, sites, space, locate);
  const before = verified.map((bytes, i) => bytes.slice(0, sites[i]!.replacement.length));
  const report = sites.map((s, i) => ({ address: s.address, before: before[i]!, after: s.replacement }));
  const applied = (site: ResolvedSite, i: number) => bytesEqual(before[i]!, site.replacement) && anchorMatches(site.expect, verified[i]!, site.replacement.length);
  if (sites.every(applied)) {
    const originals = sites.map((site) => originalBytes(site.expect, site.replacement.length));
    if (foundApplied !== undefined && !dryRun && originals.every((bytes) => bytes !== undefined)) foundApplied(sites.map((s, i) => ({ address: s.address, before: originals[i]!, after: s.replacement })));
    return { status: 'already applied', frozen: undefined, sites: report };
  }
  const mismatches = sites.flatMap((site, i) => (matches(site.expect, verified[i]!) ? [] : [{ site, found: verified[i]! }]));
  if (mismatches.length > 0) {
    const lines = mismatches.map(({ site, found }) => `  at ${hexAddress(site.address)} (line ${site.loc.line}): expected ${describe(site.expect)}, found ${quotedHex(found)}`);
    throw new AssertionFailed('patch-mismatch', `patch not applied: ${mismatches.length} of ${count(sites.length, 'site')} did not hold the expected bytes; nothing was written\n${lines.join('\n')}`, {
      ...at,
      hint: 'the target is not the build or state this patch was written for; check its version, or update the expected bytes',
    });
  }
  if (dryRun) return { status: 'would apply', frozen: undefined, sites: report };
  const frozen = writeSites(
    sites.map((s, i) => ({ address: s.address, before: before[i]!, after: s.replacement, at: locate(s.loc) })),
    { target, space, freeze, beforeWrite: beforeWrite && (() => beforeWrite(report)) },
  );
  return { status: 'applied', frozen, sites: report };
}

/** `with` is no longer than `expect`, and no two sites overlap, anchors included (the transaction could not say which bytes are whose). */
function checkShape(sites: readonly ResolvedSite[], locate: (loc: Loc) => SourcePoint): void {
  for (const site of sites) {
    if (expectedLength(site) < site.replacement.length) {
      throw new RecipeError('patch-length', `the site at ${hexAddress(site.address)} expects ${expectedLength(site)} bytes but writes ${site.replacement.length}`, {
        ...locate(site.loc),
        hint: 'expect at least the bytes the patch replaces (pad with ??), so a revert restores all of them; a longer expect anchors the patch',
      });
    }
  }
  const sorted = [...sites].sort((a, b) => (a.address < b.address ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    // A site's anchor (expect past its replaced bytes) may not cover another site either: it would change under it.
    if (previous.address + BigInt(Math.max(expectedLength(previous), previous.replacement.length)) > sorted[i]!.address) {
      throw new RecipeError('patch-overlap', `patch sites at ${hexAddress(previous.address)} and ${hexAddress(sorted[i]!.address)} overlap`, {
        ...locate(sorted[i]!.loc),
        hint: 'merge them into one site',
      });
    }
  }
}

/** The bytes a site's `expect` covers (at least those its `with` replaces). */
function expectedLength(site: ResolvedSite): number {
  return site.expect.kind === 'bytes' ? site.expect.bytes.length : new Matcher(site.expect.pattern).maxLength;
}

function readSites(target: WritableTarget, sites: readonly ResolvedSite[], space: string, locate: (loc: Loc) => SourcePoint): Uint8Array[] {
  const results = target.read(sites.map((s) => ({ address: s.address, length: expectedLength(s) })));
  return results.map((result, i) => {
    if (result.fault !== undefined) {
      const site = sites[i]!;
      const denied = result.fault.denied;
      if (denied instanceof PvmError) {
        // The policy's refusal, not the kernel's: exit 3 with the rule, as any read it denies.
        throw new DeniedError(denied.code, `patch not applied: cannot verify the site at ${hexAddress(site.address)}: ${denied.message}; nothing was written`, { ...locate(site.loc), hint: denied.hint });
      }
      throw new TargetError(
        'unmapped',
        `patch not applied: cannot read the site at ${hexAddress(site.address)}: ${
          result.fault.reason === undefined ? explainFault(result.fault.address, target.regions(), space, 'r') : `${hexAddress(result.fault.address)} in ${space}: ${result.fault.reason}`
        }; nothing was written`,
        {
          ...locate(site.loc),
          hint: 'check the address of this site',
        },
      );
    }
    return result.bytes.slice(0, expectedLength(sites[i]!));
  });
}

/**
 * For "already applied": the bytes after the replaced ones still match the
 * rest of `expect` (the anchor). Decided by the replaced bytes alone when a
 * pattern's tokens cannot be split there (an alternative or jump across it).
 */
function anchorMatches(expect: Encoded, verified: Uint8Array, replaced: number): boolean {
  if (expect.kind === 'bytes') return bytesEqual(expect.bytes.subarray(replaced), verified.subarray(replaced));
  const head = expect.pattern.tokens.slice(0, replaced);
  const tail = expect.pattern.tokens.slice(replaced);
  if (head.length < replaced || head.some((token) => token.t !== 'byte') || tail.length === 0) return true;
  return matches({ kind: 'pattern', pattern: { tokens: tail }, text: '' }, verified.subarray(replaced));
}

/** The bytes `expect` gives for the first `replaced` bytes of a site, or undefined where it leaves one open. */
function originalBytes(expect: Encoded, replaced: number): Uint8Array | undefined {
  if (expect.kind === 'bytes') return expect.bytes.slice(0, replaced);
  const head = expect.pattern.tokens.slice(0, replaced);
  if (head.length < replaced || head.some((token) => token.t !== 'byte' || token.mask !== 0xff || token.not)) return undefined;
  return Uint8Array.from(head, (token) => (token as { value: number }).value);
}

function matches(expect: Encoded, found: Uint8Array): boolean {
  if (expect.kind === 'bytes') return bytesEqual(expect.bytes, found);
  let hit = false;
  new Matcher(expect.pattern).find(found, 0, 1, () => ((hit = true), false));
  return hit;
}

function describe(expect: Encoded): string {
  return expect.kind === 'bytes' ? quotedHex(expect.bytes) : patternLiteral(expect.text);
}
