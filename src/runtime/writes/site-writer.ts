// Writing a set of sites as one step that lands whole or is undone: shared by
// `patch` and `pvm revert`. Sites on pages that process_vm_writev cannot
// write (code, read-only private data) go through /proc/PID/mem with every
// thread stopped, as gdb does: the kernel writes them by copy-on-write, and
// on x86 a thread that resumes through the kernel runs the new bytes
// (docs/kernel.md §2, §5). Asked to freeze, every site is written that way round.
// While the threads are stopped, the sites are read once more (nothing may
// have changed since they were verified) and no thread may be executing
// inside one; then the journal hook runs, then the writes, then a read-back.
import { sleepSync } from '../../sleep.ts';
import { bytesEqual, hexAddress, hexLiteral } from '../../bytes.ts';
import { AssertionFailed, TargetError } from '../../errors.ts';
import type { Frozen, Region, WritableTarget, WriteResult } from '../../target/target.ts';
import { explainFault } from '../explain-fault.ts';
import type { SourcePoint } from '../locate.ts';
import { writable } from './writable.ts';

export interface SiteWrite {
  readonly address: bigint;
  /** What the site holds now (verified by the caller). */
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  /** Where the site is in the recipe (or journal), for errors. */
  readonly at: SourcePoint;
}

export interface WriteWindow {
  readonly target: WritableTarget;
  /** `pid 4242`, for messages. */
  readonly space: string;
  /** Stop every thread for the write even when no site is code. */
  readonly freeze: boolean;
  /** Runs after the last check and before the first write (the journal: durable before anything changes). */
  readonly beforeWrite?: (() => void) | undefined;
}

/** How long the threads were stopped for a write (undefined: they were not). */
export interface FreezeReport {
  readonly threads: number;
  readonly micros: number;
  /** Freezes it took to find no thread inside a site (a hot site: threads ran a little between tries). */
  readonly tries: number;
}

/** How often a hot site is tried, the threads running 1, 2, … ms between tries: about 0.2 s in all. */
const MAX_TRIES = 20;

export function writeSites(sites: readonly SiteWrite[], { target, space, freeze, beforeWrite }: WriteWindow): FreezeReport | undefined {
  const regions = target.regions();
  const code = sites.map((site) => !writable(regions, site.address, site.after.length));
  const mustFreeze = freeze || code.some(Boolean);
  // The policy decides on every site before anything is stopped or written.
  target.authorize?.(sites.map((site, i) => ({ address: site.address, bytes: site.after, code: code[i]! })));
  let frozen: Frozen | undefined;
  const release = target.lockWrites?.();
  let started = performance.now();
  let tries = 0;
  try {
    while (mustFreeze) {
      tries++;
      started = performance.now(); // the stop that counts is the last one
      frozen = target.freeze();
      const busy = threadInSite(frozen, sites, space, tries) ?? returnIntoSite(target, frozen, sites.filter((_, i) => code[i]), regions, space, tries);
      if (busy === undefined) break;
      frozen.thaw();
      frozen = undefined;
      if (tries >= MAX_TRIES) throw busy;
      sleepSync(tries); // let the threads run on, out of the site
    }
    // Verified again under the lock (and inside the freeze), just before writing: another writer may have been first.
    checkUnchanged(target, sites);
    // A stop already past the policy's limit is refused here, before anything is journaled or written.
    frozen?.checkTime?.();
    beforeWrite?.();
    const write = (bytesOf: (site: SiteWrite) => Uint8Array): WriteResult[] => {
      const results: WriteResult[] = new Array(sites.length);
      const data = sites.flatMap((_, i) => (code[i] ? [] : [i]));
      const forced = sites.flatMap((_, i) => (code[i] ? [i] : []));
      target.write(data.map((i) => ({ address: sites[i]!.address, bytes: bytesOf(sites[i]!) }))).forEach((r, k) => (results[data[k]!] = r));
      if (forced.length > 0) target.write(forced.map((i) => ({ address: sites[i]!.address, bytes: bytesOf(sites[i]!) })), true).forEach((r, k) => (results[forced[k]!] = r));
      return results;
    };
    const written = write((site) => site.after);
    const failed = written.findIndex((r) => r.fault !== undefined);
    const after = failed < 0 ? readBack(target, sites) : [];
    const differs = after.findIndex((bytes, i) => bytes === undefined || !bytesEqual(bytes, sites[i]!.after));
    if (failed >= 0 || differs >= 0) {
      // Put back what was there, on every site that may have changed.
      write((site) => site.before);
      const index = failed >= 0 ? failed : differs;
      const site = sites[index]!;
      const why = failed >= 0 ? explainFault(written[failed]!.fault!.address, regions, space, 'w') : `it reads back as ${spaced(after[differs])}`;
      throw new TargetError('patch-failed', `the write at ${hexAddress(site.address)} did not land (${why}); every site was restored to its old bytes`, {
        ...site.at,
        hint: failed < 0
          ? 'something else changes this memory; freeze the target (`freeze`, --freeze) or retry'
          : code[index]
          ? 'a read-only shared mapping cannot be written, not even through /proc/PID/mem'
          : 'the page was unmapped or made read-only after it was checked; retry',
      });
    }
  } finally {
    frozen?.thaw();
    release?.();
  }
  return frozen === undefined ? undefined : { threads: frozen.threads.length, micros: Math.round((performance.now() - started) * 1000), tries };
}

/** A site that changed between the check and the freeze: someone else writes here; write nothing. */
function checkUnchanged(target: WritableTarget, sites: readonly SiteWrite[]): void {
  const now = readBack(target, sites);
  const changed = now.findIndex((bytes, i) => bytes === undefined || !bytesEqual(bytes, sites[i]!.before));
  if (changed < 0) return;
  const site = sites[changed]!;
  throw new AssertionFailed('site-changed', `the site at ${hexAddress(site.address)} changed while pvm was checking it (now ${spaced(now[changed])}, was ${spaced(site.before)}); nothing was written`, {
    ...site.at,
    hint: 'something else writes this memory; retry when it does not',
  });
}

/** The refusal to change bytes a thread is executing (it would resume in the middle of an instruction that is no longer there), or undefined. */
function threadInSite(frozen: Frozen, sites: readonly SiteWrite[], space: string, tries: number): TargetError | undefined {
  for (const thread of frozen.threads) {
    if (thread.pc === undefined) continue;
    // Where it resumes: at pc, or at pc - 2 when the kernel restarts the system call it is blocked in.
    const from = thread.inSyscall ? thread.pc - 2n : thread.pc;
    const site = sites.find((s) => s.address <= thread.pc! && from < s.address + BigInt(s.after.length));
    if (site === undefined) continue;
    const where = thread.inSyscall && site.address + BigInt(site.after.length) <= thread.pc ? `blocked in a system call it will restart at ${hexAddress(from)}` : `executing at ${hexAddress(thread.pc)}`;
    return new TargetError('thread-in-site', `thread ${thread.tid} of ${space} is inside the site at ${hexAddress(site.address)} (${where})${tries > 1 ? ` at each of ${tries} tries` : ''}; nothing was written`, {
      ...site.at,
      hint: 'retry in a moment, when the thread has left this code',
    });
  }
  return undefined;
}

/**
 * The refusal to change code a thread will return into: a word on its stack,
 * between its stack pointer and the end of its stack mapping, that points
 * inside a code site past its first byte (a return address there would land
 * in the middle of the new bytes). Conservative, like kpatch's activeness
 * check: a stale word that only looks like one refuses too.
 */
function returnIntoSite(target: WritableTarget, frozen: Frozen, sites: readonly SiteWrite[], regions: readonly Region[], space: string, tries: number): TargetError | undefined {
  if (sites.length === 0) return undefined;
  const stacks = frozen.threads.flatMap((thread) => {
    if (thread.sp === undefined) return [];
    const region = regions.find((r) => r.start <= thread.sp! && thread.sp! < r.end);
    const from = thread.sp & ~7n;
    return region === undefined ? [] : [{ thread, from, length: Number(region.end - from) }];
  });
  const contents = target.read(stacks.map(({ from, length }) => ({ address: from, length })));
  /** Between them, the high 32 bits of every address inside a site. */
  const lowestHigh = sites.reduce((least, s) => Math.min(least, Number(s.address >> 32n)), Infinity);
  const highestHigh = sites.reduce((most, s) => Math.max(most, Number((s.address + BigInt(s.after.length)) >> 32n)), -Infinity);
  for (const [k, { thread, from }] of stacks.entries()) {
    const { bytes, done } = contents[k]!;
    if (done === 0) {
      return new TargetError('thread-in-site', `cannot read the stack of thread ${thread.tid} of ${space} at ${hexAddress(from)} to check that it will not return into a site; nothing was written`, {
        ...sites[0]!.at,
        hint: 'a policy that denies reading stacks (anon) also prevents patching code safely; allow reading [stack] and anonymous memory',
      });
    }
    const words = new DataView(bytes.buffer, bytes.byteOffset, done - (done % 8));
    for (let at = 0; at < words.byteLength; at += 8) {
      // A word whose high half no site has is none of theirs: only the others are made bigints (~50 ns a word, ~10 this).
      const high = words.getUint32(at + 4, true);
      if (high < lowestHigh || high > highestHigh) continue;
      const word = words.getBigUint64(at, true);
      const site = sites.find((s) => s.address < word && word < s.address + BigInt(s.after.length));
      if (site === undefined) continue;
      return new TargetError(
        'thread-in-site',
        `thread ${thread.tid} of ${space} will return into the site at ${hexAddress(site.address)} (its stack holds ${hexAddress(word)} at ${hexAddress(from + BigInt(at))})${
          tries > 1 ? ` at each of ${tries} tries` : ''
        }; nothing was written`,
        {
          ...site.at,
          hint: 'retry when no thread is in a call made from inside the site, or patch whole instructions after the call',
        },
      );
    }
  }
  return undefined;
}

function readBack(target: WritableTarget, sites: readonly SiteWrite[]): (Uint8Array | undefined)[] {
  return target.read(sites.map((s) => ({ address: s.address, length: s.after.length }))).map((r, i) => (r.fault === undefined ? r.bytes.slice(0, sites[i]!.after.length) : undefined));
}

function spaced(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? 'unreadable' : hexLiteral(bytes);
}
