import"./main-zffz883y.js";
import {
  layoutCore,
  encodeSnapshotNote
} from "./main-y9gckk7q.js";
import {
  PvmError,
  UsageError,
  attempt,
  isFileMapping,
  skipReason,
  residentOnly,
  isAnonymous,
  count,
  VERSION
} from "./main-96f73920.js";
import {
  moduleBuildIds
} from "./main-5kffrt4d.js";
import {
  splitByRanges,
  joinRanges
} from "./main-ftnr638j.js";

// src/snapshot/capture.ts
import { closeSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
var PIECE = 16 << 20;
var NOTE_RESERVE = 64 << 10;
function takeSnapshot(source, facts, output, options) {
  const started = performance.now();
  const takenAt = new Date().toISOString();
  const partial = `${output}.partial-${process.pid}`;
  let fd;
  try {
    fd = openSync(partial, "wx", 384);
  } catch (error) {
    throw new UsageError("snapshot-unwritable", `cannot write ${output}: ${error.message}`, { hint: "choose a file in a directory you may write" });
  }
  let frozen;
  let stoppedAt = 0;
  let stoppedMicros = 0;
  let registersMissing;
  let access;
  let done = false;
  try {
    try {
      stoppedAt = performance.now();
      frozen = source.freeze();
    } catch (error) {
      if (options.freeze || !(error instanceof PvmError))
        throw error;
      registersMissing = `the threads could not be stopped: ${error.message}`;
    }
    const info = facts.processInfo();
    const thread = (tid, registers) => ({ tid, ppid: info.ppid, pgrp: info.pgrp, sid: info.sid, signal: 0, registers: registers ?? NO_REGISTERS });
    const threads = frozen !== undefined ? frozen.threads.map((t) => thread(t.tid, t.registers)) : facts.threadIds().map((tid) => thread(tid, undefined));
    if (threads.length === 0)
      threads.push(thread(info.pid, undefined));
    const withoutRegisters = frozen !== undefined ? frozen.threads.filter((t) => t.registers === undefined).map((t) => t.tid) : threads.map((t) => t.tid);
    if (registersMissing === undefined && withoutRegisters.length > 0)
      registersMissing = `the kernel refused the registers of ${count(withoutRegisters.length, "thread")}`;
    if (frozen !== undefined && !options.freeze) {
      frozen.thaw();
      frozen = undefined;
      stoppedMicros = Math.round((performance.now() - stoppedAt) * 1000);
    }
    const scan = source.openScan();
    access = scan;
    const selected = selector(options.only, scan.regions);
    const plan = scan.regions.map((region) => planRegion(region, scan, selected(region)));
    const captured = plan.filter((p) => p.region.leftOut === undefined);
    const modules = moduleBuildIds({ read: (requests) => scan.readChunks(requests).map((r) => ({ ...r, bytes: r.bytes.slice() })) }, scan.regions);
    const note = (regions) => ({
      pvmVersion: VERSION,
      takenAt,
      frozen: options.freeze,
      identity: source.identity,
      pageSize: 4096,
      regions,
      modules,
      registersMissing,
      threadsWithoutRegisters: withoutRegisters
    });
    const auxv = facts.auxv();
    const head = (pvm) => layoutCore({
      segments: captured.map(({ region }) => ({ vaddr: region.start, memsz: region.end - region.start, filesz: region.end - region.start, flags: flagsOf(region.perms) })),
      threads,
      process: info,
      auxv,
      files: scan.regions.filter(isFileMapping).map((r) => ({ start: r.start, end: r.end, offset: r.offset, path: r.deleted ? `${r.path} (deleted)` : r.path })),
      pageSize: 4096,
      pvm
    });
    const reserved = padded(encodeSnapshotNote(note(plan.map((p) => p.region))), NOTE_RESERVE + RANGE_ROOM * plan.length);
    const layout = head(reserved);
    const missing = new Map;
    let bytes = 0;
    ftruncateSync(fd, Number(layout.size));
    const total = captured.reduce((sum, p) => sum + p.runs.reduce((n, r) => n + Number(r.end - r.start), 0), 0);
    const pieces = captured.flatMap((p, i) => p.runs.flatMap((run) => cut(run, PIECE).map((piece) => ({ ...piece, owner: p.region, fileOffset: layout.dataOffsets[i] + (piece.address - p.region.start) }))));
    for (const piece of pieces) {
      const [result] = scan.readChunks([piece]);
      if (result.done > 0)
        writeAll(fd, result.bytes, result.done, piece.fileOffset);
      bytes += result.done;
      if (result.fault !== undefined) {
        const list = missing.get(piece.owner) ?? [];
        list.push({ start: piece.address + BigInt(result.done), end: piece.address + BigInt(piece.length) });
        missing.set(piece.owner, list);
      }
      options.progress?.(bytes, total);
    }
    const regions = plan.map((p) => ({ ...p.region, missing: joinRanges(missing.get(p.region) ?? []) }));
    let final = encodeSnapshotNote(note(regions));
    if (final.length > reserved.length)
      final = encodeSnapshotNote(note(regions.map((r) => r.missing.length > 0 ? { ...r, missing: [{ start: r.start, end: r.end }] } : r)));
    writeAll(fd, head(padded(final, reserved.length - final.length)).head, layout.head.length, 0);
    if (frozen !== undefined) {
      frozen.thaw();
      frozen = undefined;
      stoppedMicros = Math.round((performance.now() - stoppedAt) * 1000);
    }
    closeSync(fd);
    renameSync(partial, output);
    done = true;
    return {
      file: output,
      regions: captured.length,
      bytes,
      holes: captured.reduce((sum, p) => sum + p.region.untouched.reduce((n, r) => n + Number(r.end - r.start), 0), 0),
      leftOut: plan.filter((p) => p.region.leftOut !== undefined).map((p) => ({ start: p.region.start, end: p.region.end, reason: p.region.leftOut })),
      missing: [...missing.values()].flat(),
      threads: threads.length,
      registersMissing,
      frozen: options.freeze,
      micros: Math.round((performance.now() - started) * 1000),
      stoppedMicros
    };
  } finally {
    frozen?.thaw();
    access?.close();
    if (!done) {
      attempt(() => closeSync(fd));
      attempt(() => unlinkSync(partial));
    }
  }
}
var NO_REGISTERS = new Array(27).fill(0n);
var RANGE_ROOM = 48;
function planRegion(region, access, selected) {
  const vmFlags = access.vmFlags.get(region.start) ?? [];
  const base = { start: region.start, end: region.end, perms: region.perms, offset: region.offset, path: region.path, deleted: region.deleted, vmFlags, missing: [] };
  const leftOut = skipReason(region, vmFlags) ?? access.skip?.(region) ?? (selected ? undefined : "not selected by --only");
  if (leftOut !== undefined)
    return { region: { ...base, leftOut, untouched: [] }, runs: [] };
  const runs = residentOnly(region) ? access.residentRuns(region.start, region.end) : [{ start: region.start, end: region.end }];
  const untouched = [];
  splitByRanges(runs, region.start, region.end, () => {}, (start, end) => untouched.push({ start, end }));
  return { region: { ...base, leftOut: undefined, untouched }, runs };
}
function selector(only, regions) {
  if (only.length === 0)
    return () => true;
  const tests = only.map((spec) => {
    const range = /^(0x[0-9a-f]+)-(0x[0-9a-f]+)$/i.exec(spec);
    if (range !== null) {
      const [start, end] = [BigInt(range[1]), BigInt(range[2])];
      return (r) => r.start < end && start < r.end;
    }
    if (spec === "anon")
      return isAnonymous;
    if (spec.startsWith("["))
      return (r) => r.path === spec;
    return (r) => r.path === spec || r.path.endsWith(`/${spec}`);
  });
  for (const [i, spec] of only.entries()) {
    if (!regions.some(tests[i])) {
      throw new UsageError("only-matches-nothing", `--only ${spec} matches no region of the process`, {
        hint: "give a region name ([heap], [stack]), anon, a module (libc.so.6) or a range (0x1000-0x2000); `pvm maps` lists the regions"
      });
    }
  }
  return (region) => tests.some((test) => test(region));
}
function flagsOf(perms) {
  return (perms[0] === "r" ? 4 : 0) | (perms[1] === "w" ? 2 : 0) | (perms[2] === "x" ? 1 : 0);
}
function cut(range, size) {
  const pieces = [];
  for (let at = range.start;at < range.end; at += BigInt(size)) {
    const left = range.end - at;
    pieces.push({ address: at, length: left < BigInt(size) ? Number(left) : size });
  }
  return pieces;
}
function padded(json, extra) {
  const out = new Uint8Array(json.length + extra).fill(32);
  out.set(json);
  return out;
}
function writeAll(fd, bytes, length, position) {
  let written = 0;
  while (written < length)
    written += writeSync(fd, bytes, written, length - written, Number(position) + written);
}
export {
  takeSnapshot
};
