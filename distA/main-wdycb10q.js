import {
  Exit,
  PvmError,
  TargetError,
  AssertionFailed,
  attempt,
  count,
  hexAddress,
  pidOf,
  openSession,
  toHex,
  hexLiteral,
  bytesEqual,
  formatError2,
  formatErrorJson2,
  formatRevert2
} from "./main-96f73920.js";
import {
  revertJournal2
} from "./main-382xrxkr.js";
import {
  startTimeOf2
} from "./main-zh9kgs33.js";

// src/runtime/journal-status.ts
function siteStates(entries, target) {
  const reads = target.read(entries.map((entry) => ({ address: entry.address, length: entry.new.length })));
  return entries.map((entry, i) => {
    const read = reads[i];
    const found = read.done === entry.new.length ? read.bytes.slice(0, read.done) : undefined;
    const state = found !== undefined && bytesEqual(found, entry.new) ? "applied" : found !== undefined && bytesEqual(found, entry.old) ? "reverted" : "changed";
    return { entry, state, found };
  });
}
function goneStates(entries) {
  return entries.map((entry) => ({ entry, state: "gone", found: undefined }));
}

// src/cli/journal-processes.ts
import { readFileSync } from "node:fs";
function processesOf(entries) {
  const byProcess = new Map;
  for (const entry of entries) {
    const key = `${entry.pid}@${entry.startTime ?? ""}`;
    let process = byProcess.get(key);
    if (process === undefined)
      byProcess.set(key, process = { pid: entry.pid, startTime: entry.startTime, exe: entry.exe, entries: [] });
    process.entries.push(entry);
  }
  return [...byProcess.values()];
}
function stillRunning(process) {
  const stat = attempt(() => readFileSync(`/proc/${process.pid}/stat`, "latin1"));
  return stat !== undefined && process.startTime !== undefined && startTimeOf2(stat) === process.startTime && !/\) Z /.test(stat);
}

// src/cli/journal-commands.ts
function mostSerious2(exits) {
  const unknown = exits.find((exit) => !Object.values(Exit).includes(exit));
  if (unknown !== undefined)
    return unknown;
  for (const exit of [Exit.denied, Exit.target, Exit.usage, Exit.assertion])
    if (exits.includes(exit))
      return exit;
  return Exit.ok;
}
async function chosen(journal, entries, target) {
  const processes = processesOf(entries);
  if (target === undefined)
    return processes;
  const pid = await pidOf(target);
  const mine = processes.filter((p) => p.pid === pid);
  if (mine.length === 0) {
    throw new TargetError("journal-other-process", `${journal} records patches of ${processes.map((p) => `pid ${p.pid}`).join(", ") || "no process"}, not of pid ${pid}`, {
      hint: "give the pid of a process the journal was written for, or no target for all of them"
    });
  }
  return mine;
}
function describeProcess(process) {
  return `pid ${process.pid}${process.exe === undefined ? "" : ` (${process.exe.split("/").pop()})`}`;
}
function reportError(error, process, json, out) {
  if (!(error instanceof PvmError))
    throw error;
  if (json)
    out(formatErrorJson2(error).replace(/^\{"type":"error",/, `{"type":"error","pid":${process.pid},`));
  else
    globalThis.process.stderr.write(`${describeProcess(process)}: ${formatError2(error)}
`);
  return error.exit;
}
async function statusCommand2(journal, entries, target, policies, audit, json, out) {
  const exits = [];
  for (const process of await chosen(journal, entries, target)) {
    let states;
    if (!stillRunning(process))
      states = goneStates(process.entries);
    else {
      try {
        const session = await openSession({ kind: "pid", pid: process.pid }, policies, audit);
        try {
          states = siteStates(process.entries, session.target);
        } finally {
          session.close();
        }
      } catch (error) {
        exits.push(reportError(error, process, json, out));
        continue;
      }
    }
    out(formatStatus(process, states, json));
  }
  return mostSerious2(exits);
}
function formatStatus(process, states, json) {
  if (json) {
    return states.map(({ entry, state, found }) => JSON.stringify({
      type: "status",
      pid: process.pid,
      startTime: process.startTime ?? null,
      patch: entry.patch ?? null,
      statement: entry.statement,
      line: entry.line,
      address: hexAddress(entry.address),
      state,
      expected: toHex(entry.new),
      old: toHex(entry.old),
      found: found === undefined ? null : toHex(found)
    })).join(`
`);
  }
  const gone = states.every((s) => s.state === "gone");
  const header = `${describeProcess(process)}${gone ? ": gone (it exited, or its pid now names another process)" : ""}`;
  const lines = gone ? [] : states.map(({ entry, state, found }) => {
    const by = entry.patch !== undefined ? `patch "${entry.patch}"` : `${entry.statement} at line ${entry.line}`;
    const holds = state === "changed" ? `: holds ${found === undefined ? "unreadable bytes" : hexLiteral(found)}, neither ${hexLiteral(entry.new)} (pvm's) nor ${hexLiteral(entry.old)} (the old)` : "";
    return `  ${hexAddress(entry.address)}: ${state} (${by})${holds}`;
  });
  return [header, ...lines].join(`
`);
}
function throwIfIncomplete2(sites) {
  const left = sites.filter((s) => s.status === "changed since").length;
  if (left === 0)
    return;
  throw new AssertionFailed("revert-incomplete", `${left} of ${count(sites.length, "site")} no longer ${left === 1 ? "holds" : "hold"} what pvm wrote and ${left === 1 ? "was" : "were"} left alone`, {
    hint: "something else changed them after the patch; check them before restoring them by hand"
  });
}
async function revertEverywhere2(journal, entries, writing, policies, audit, json, out) {
  const exits = [];
  const tally = { reverted: 0, gone: 0, failed: 0 };
  for (const process of processesOf(entries)) {
    if (!stillRunning(process)) {
      tally.gone++;
      out(json ? JSON.stringify({ type: "target", pid: process.pid, status: "gone", exit: 0 }) : `${describeProcess(process)}: gone (it exited, or its pid now names another process): nothing to revert`);
      continue;
    }
    try {
      const session = await openSession({ kind: "pid", pid: process.pid }, policies, audit);
      try {
        const outcome = revertJournal2(process.entries, { target: session.target.writable, journal, ...writing });
        if (!json)
          out(`${describeProcess(process)}:`);
        out(formatRevert2({ sites: outcome.sites, others: 0 }, json, process.pid));
        throwIfIncomplete2(outcome.sites);
        tally.reverted++;
        if (json)
          out(JSON.stringify({ type: "target", pid: process.pid, status: "reverted", exit: 0 }));
      } finally {
        session.close();
      }
    } catch (error) {
      tally.failed++;
      const exit = reportError(error, process, json, out);
      exits.push(exit);
      if (json)
        out(JSON.stringify({ type: "target", pid: process.pid, status: "failed", exit }));
    }
  }
  const exit = mostSerious2(exits);
  const processes = tally.reverted + tally.gone + tally.failed;
  out(json ? JSON.stringify({ type: "summary", processes, ...tally, exit }) : `${count(processes, "process")}: ${tally.reverted} reverted, ${tally.gone} gone, ${tally.failed} failed`);
  return exit;
}

export { mostSerious2, statusCommand2, throwIfIncomplete2, revertEverywhere2 };
