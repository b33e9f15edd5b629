import {
  TargetError,
  describeTarget,
  bytesEqual
} from "./main-96f73920.js";
import {
  writeSites
} from "./main-macb8xf4.js";

// src/runtime/revert.ts
function revertJournal2(entries, { target, journal, dryRun, freeze }) {
  const { pid, startTime } = target.identity;
  const mine = entries.filter((e) => e.pid === pid && e.startTime !== undefined && e.startTime === startTime);
  if (mine.length === 0) {
    const owners = [...new Set(entries.map((e) => `pid ${e.pid}${e.startTime === undefined ? "" : ` (started at tick ${e.startTime})`}`))];
    throw new TargetError("journal-other-process", `${journal} records patches of ${owners.join(", ") || "no process"}, not of ${describeTarget(target.identity)}${startTime === undefined ? "" : ` (started at tick ${startTime})`}`, {
      hint: owners.length > 0 && entries.some((e) => e.pid === pid) ? "the pid was reused: the patched process has exited, and its patches went with it" : "give the pid of the process the journal was written for (--pid)"
    });
  }
  const reads = target.read(mine.map((e) => ({ address: e.address, length: e.new.length })));
  const memory = new Map;
  reads.forEach((r, i) => r.bytes.subarray(0, r.done).forEach((b, k) => memory.set(mine[i].address + BigInt(k), b)));
  const view = (e) => {
    const bytes = new Uint8Array(e.new.length);
    for (let k = 0;k < bytes.length; k++) {
      const b = memory.get(e.address + BigInt(k));
      if (b === undefined)
        return;
      bytes[k] = b;
    }
    return bytes;
  };
  const sites = [];
  const changed = new Set;
  for (let i = mine.length - 1;i >= 0; i--) {
    const entry = mine[i];
    const found = view(entry);
    if (found !== undefined && bytesEqual(found, entry.new)) {
      entry.old.forEach((b, k) => memory.set(entry.address + BigInt(k), b));
      changed.add(i);
      sites.push({ entry, status: dryRun ? "would restore" : "restored", found });
    } else {
      sites.push({ entry, status: found !== undefined && bytesEqual(found, entry.old) ? "already reverted" : "changed since", found });
    }
  }
  if (!dryRun && changed.size > 0) {
    const ranges = new Map;
    for (const i of changed) {
      const entry = mine[i];
      const key = `${entry.address}:${entry.new.length}`;
      if (ranges.has(key))
        continue;
      ranges.set(key, { address: entry.address, before: reads[i].bytes.slice(0, entry.new.length), after: view(entry), at: { where: `${journal} (patch at line ${entry.line})` } });
    }
    writeSites([...ranges.values()], { target, space: describeTarget(target.identity), freeze });
  }
  return { sites: sites.reverse(), others: entries.length - mine.length };
}

export { revertJournal2 };
