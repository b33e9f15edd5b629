import {
  TargetError,
  AssertionFailed,
  hexAddress,
  sleepSync,
  hexLiteral,
  bytesEqual
} from "./main-96f73920.js";
import {
  explainFault
} from "./main-7cnv84d3.js";

// src/runtime/writable.ts
function writable(regions, address, length) {
  return firstUnwritable(regions, address, length) === address + BigInt(length);
}
function firstUnwritable(regions, address, length) {
  const end = address + BigInt(length);
  let at = address;
  while (at < end) {
    const region = regions.find((r) => r.start <= at && at < r.end);
    if (region === undefined || region.perms[1] !== "w")
      return at;
    at = region.end;
  }
  return end;
}

// src/runtime/site-writer.ts
var MAX_TRIES = 20;
function writeSites(sites, { target, space, freeze, beforeWrite }) {
  const regions = target.regions();
  const code = sites.map((site) => !writable(regions, site.address, site.after.length));
  const mustFreeze = freeze || code.some(Boolean);
  target.authorize?.(sites.map((site, i) => ({ address: site.address, bytes: site.after, code: code[i] })));
  let frozen;
  const release = target.lockWrites?.();
  let started = performance.now();
  let tries = 0;
  try {
    while (mustFreeze) {
      tries++;
      started = performance.now();
      frozen = target.freeze();
      const busy = threadInSite(frozen, sites, space, tries) ?? returnIntoSite(target, frozen, sites.filter((_, i) => code[i]), regions, space, tries);
      if (busy === undefined)
        break;
      frozen.thaw();
      frozen = undefined;
      if (tries >= MAX_TRIES)
        throw busy;
      sleepSync(tries);
    }
    checkUnchanged(target, sites);
    beforeWrite?.();
    const write = (bytesOf) => {
      const results = new Array(sites.length);
      const data = sites.flatMap((_, i) => code[i] ? [] : [i]);
      const forced = sites.flatMap((_, i) => code[i] ? [i] : []);
      target.write(data.map((i) => ({ address: sites[i].address, bytes: bytesOf(sites[i]) }))).forEach((r, k) => results[data[k]] = r);
      if (forced.length > 0)
        target.writeForce(forced.map((i) => ({ address: sites[i].address, bytes: bytesOf(sites[i]) }))).forEach((r, k) => results[forced[k]] = r);
      return results;
    };
    const written = write((site) => site.after);
    const failed = written.findIndex((r) => r.fault !== undefined);
    const after = failed < 0 ? readBack(target, sites) : [];
    const differs = after.findIndex((bytes, i) => bytes === undefined || !bytesEqual(bytes, sites[i].after));
    if (failed >= 0 || differs >= 0) {
      write((site) => site.before);
      const index = failed >= 0 ? failed : differs;
      const site = sites[index];
      const why = failed >= 0 ? explainFault(written[failed].fault.address, regions, space, "w") : `it reads back as ${spaced(after[differs])}`;
      throw new TargetError("patch-failed", `the write at ${hexAddress(site.address)} did not land (${why}); every site was restored to its old bytes`, {
        ...site.at,
        hint: failed < 0 ? "something else changes this memory; freeze the target (`freeze`, --freeze) or retry" : code[index] ? "a read-only shared mapping cannot be written, not even through /proc/PID/mem" : "the page was unmapped or made read-only after it was checked; retry"
      });
    }
  } finally {
    frozen?.thaw();
    release?.();
  }
  return frozen === undefined ? undefined : { threads: frozen.threads.length, micros: Math.round((performance.now() - started) * 1000), tries };
}
function checkUnchanged(target, sites) {
  const now = readBack(target, sites);
  const changed = now.findIndex((bytes, i) => bytes === undefined || !bytesEqual(bytes, sites[i].before));
  if (changed < 0)
    return;
  const site = sites[changed];
  throw new AssertionFailed("site-changed", `the site at ${hexAddress(site.address)} changed while pvm was checking it (now ${spaced(now[changed])}, was ${spaced(site.before)}); nothing was written`, {
    ...site.at,
    hint: "something else writes this memory; retry when it does not"
  });
}
function threadInSite(frozen, sites, space, tries) {
  for (const thread of frozen.threads) {
    if (thread.pc === undefined)
      continue;
    const from = thread.inSyscall ? thread.pc - 2n : thread.pc;
    const site = sites.find((s) => s.address <= thread.pc && from < s.address + BigInt(s.after.length));
    if (site === undefined)
      continue;
    const where = thread.inSyscall && site.address + BigInt(site.after.length) <= thread.pc ? `blocked in a system call it will restart at ${hexAddress(from)}` : `executing at ${hexAddress(thread.pc)}`;
    return new TargetError("thread-in-site", `thread ${thread.tid} of ${space} is inside the site at ${hexAddress(site.address)} (${where})${tries > 1 ? ` at each of ${tries} tries` : ""}; nothing was written`, {
      ...site.at,
      hint: "retry in a moment, when the thread has left this code"
    });
  }
  return;
}
function returnIntoSite(target, frozen, sites, regions, space, tries) {
  if (sites.length === 0)
    return;
  const stacks = frozen.threads.flatMap((thread) => {
    if (thread.sp === undefined)
      return [];
    const region = regions.find((r) => r.start <= thread.sp && thread.sp < r.end);
    const from = thread.sp & ~7n;
    return region === undefined ? [] : [{ thread, from, length: Number(region.end - from) }];
  });
  const contents = target.read(stacks.map(({ from, length }) => ({ address: from, length })));
  for (const [k, { thread, from }] of stacks.entries()) {
    const { bytes, done } = contents[k];
    if (done === 0) {
      return new TargetError("thread-in-site", `cannot read the stack of thread ${thread.tid} of ${space} at ${hexAddress(from)} to check that it will not return into a site; nothing was written`, {
        ...sites[0].at,
        hint: "a policy that denies reading stacks (anon) also prevents patching code safely; allow reading [stack] and anonymous memory"
      });
    }
    const words = new DataView(bytes.buffer, bytes.byteOffset, done - done % 8);
    for (let at = 0;at < words.byteLength; at += 8) {
      const word = words.getBigUint64(at, true);
      const site = sites.find((s) => s.address < word && word < s.address + BigInt(s.after.length));
      if (site === undefined)
        continue;
      return new TargetError("thread-in-site", `thread ${thread.tid} of ${space} will return into the site at ${hexAddress(site.address)} (its stack holds ${hexAddress(word)} at ${hexAddress(from + BigInt(at))})${tries > 1 ? ` at each of ${tries} tries` : ""}; nothing was written`, {
        ...site.at,
        hint: "retry when no thread is in a call made from inside the site, or patch whole instructions after the call"
      });
    }
  }
  return;
}
function readBack(target, sites) {
  return target.read(sites.map((s) => ({ address: s.address, length: s.after.length }))).map((r, i) => r.fault === undefined ? r.bytes.slice(0, sites[i].after.length) : undefined);
}
function spaced(bytes) {
  return bytes === undefined ? "unreadable" : hexLiteral(bytes);
}

export { writable, firstUnwritable, writeSites };
