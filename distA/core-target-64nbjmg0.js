import"./main-zffz883y.js";
import {
  NT_PVM_SNAPSHOT,
  CoreFormatError,
  parseCore,
  SnapshotNoteError,
  decodeSnapshotNote
} from "./main-y9gckk7q.js";
import {
  UsageError,
  TargetError,
  describeTarget,
  attempt,
  isFileMapping,
  readFileAsMapped,
  readAt,
  readElfHeaders,
  permsAtOffset,
  PT_LOAD,
  PT_NOTE,
  buildIdInNotes
} from "./main-96f73920.js";
import {
  loadLibc
} from "./main-pn9zpft1.js";
import {
  bufferSearch,
  fastestSearch
} from "./main-1wmjvf9n.js";
import {
  splitByRanges,
  firstEndingAfter,
  joinRanges
} from "./main-ftnr638j.js";

// src/target/core-target.ts
import { closeSync as closeSync2, fstatSync, openSync as openSync2, readSync } from "node:fs";

// src/target/core-files.ts
import { closeSync, openSync } from "node:fs";
class CoreFiles {
  #regions;
  #recorded;
  #held;
  #opened = new Map;
  constructor(regions, held, recorded = () => {
    return;
  }) {
    this.#regions = regions;
    this.#held = held;
    this.#recorded = recorded;
  }
  read(region, into, offset) {
    const path = region.file;
    const opened = this.#open(path);
    if ("problem" in opened)
      return { filled: 0, problem: `the core does not hold these bytes, and ${path}, the file mapped there, ${opened.problem}` };
    if (offset + BigInt(into.length) > BigInt(Number.MAX_SAFE_INTEGER))
      return { filled: 0, problem: `the core says ${path} is mapped from offset ${offset}, past any file` };
    const filled = readFileAsMapped(opened.fd, into, offset);
    return { filled, problem: undefined };
  }
  problemOf(region) {
    if (region.file === undefined)
      return;
    const opened = this.#open(region.file);
    return "problem" in opened ? `${region.file}, the file mapped there, ${opened.problem}` : undefined;
  }
  reader(path, who, expected) {
    const opened = this.#open(path, expected);
    if ("problem" in opened) {
      throw new TargetError("module-unreadable", `cannot read ${path}, a file mapped by ${who}: it ${opened.problem}`, {
        hint: "pvm reads the ELF file of a module to find its symbols: put the file the process ran with at that path"
      });
    }
    const { fd } = opened;
    return { read: (offset, length) => readAt(fd, offset, length) };
  }
  close() {
    for (const opened of this.#opened.values())
      if ("fd" in opened)
        closeSync(opened.fd);
    this.#opened.clear();
  }
  #open(path, expected) {
    let opened = this.#opened.get(path);
    if (opened === undefined) {
      opened = this.#check(path, expected ?? this.#recorded(path));
      this.#opened.set(path, opened);
    }
    return opened;
  }
  #check(path, recorded) {
    let fd;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      return { problem: error.code === "ENOENT" ? "is not on this machine" : `cannot be opened (${error.message})` };
    }
    const headers = attempt(() => readElfHeaders((offset, length) => readAt(fd, offset, length)));
    const running = (headers === undefined ? undefined : this.#runningBuildId(path, headers.segments)) ?? recorded;
    if (headers?.buildId !== undefined && running !== undefined && running !== headers.buildId) {
      closeSync(fd);
      return { problem: `is another build (build-id ${headers.buildId}; the process ran ${running})` };
    }
    return { fd };
  }
  #runningBuildId(path, segments) {
    const base = this.#regions.find((r) => r.path === path && r.offset === 0n);
    const first = segments.find((s) => s.type === PT_LOAD);
    if (base === undefined || first === undefined)
      return;
    const bias = base.start - (first.vaddr & ~0xfffn);
    for (const note of segments.filter((s) => s.type === PT_NOTE && s.filesz < 1n << 16n)) {
      const bytes = this.#held(note.vaddr + bias, Number(note.filesz));
      const id = bytes === undefined ? undefined : buildIdInNotes(bytes);
      if (id !== undefined)
        return id;
    }
    return;
  }
}
function filePerms(path, offset) {
  return attempt(() => {
    const fd = openSync(path, "r");
    try {
      const headers = readElfHeaders((at, length) => readAt(fd, at, length));
      return headers === undefined ? undefined : permsAtOffset(headers, offset);
    } finally {
      closeSync(fd);
    }
  });
}

// src/target/core-regions.ts
function coreRegions(layout, note, filePerms) {
  const segmentAt = new Map(layout.segments.map((s) => [s.vaddr, s]));
  if (note !== undefined) {
    return note.regions.map((r) => {
      const segment = r.leftOut === undefined ? segmentAt.get(r.start) : undefined;
      const file = isFileMapping(r) && !r.deleted ? r.path : undefined;
      return { ...r, segment, file, absent: absentOf(r, segment, file) };
    });
  }
  const regions = [];
  const mappingAt = new Map(layout.files.map((f) => [f.start, f]));
  for (const segment of layout.segments) {
    if (segment.memsz === 0n)
      continue;
    const mapping = mappingAt.get(segment.vaddr);
    const { path, deleted } = splitDeleted(mapping?.path ?? "");
    const perms = `${segment.flags & 4 ? "r" : "-"}${segment.flags & 2 ? "w" : "-"}${segment.flags & 1 ? "x" : "-"}p`;
    const region = { start: segment.vaddr, end: segment.vaddr + segment.memsz, perms, offset: mapping?.offset ?? 0n, path, deleted };
    regions.push(core(region, segment, fileOf(region)));
  }
  const segments = [...layout.segments].sort((a, b) => a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : 0);
  const files = [...layout.files].sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  let next = 0;
  for (const mapping of files) {
    while (next < segments.length && segments[next].vaddr + segments[next].memsz <= mapping.start)
      next++;
    const segment = segments[next];
    if (segment !== undefined && segment.vaddr <= mapping.start)
      continue;
    const { path, deleted } = splitDeleted(mapping.path);
    const region = { start: mapping.start, end: mapping.end, perms: "r--p", offset: mapping.offset, path, deleted };
    const file = fileOf(region);
    regions.push(core({ ...region, perms: (file === undefined ? undefined : filePerms(path, mapping.offset)) ?? "r--p" }, undefined, file));
  }
  return nameKnownRegions(regions.sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0), layout);
}
var AT_SYSINFO_EHDR = 33n;
var VSYSCALL = 0xffffffffff600000n;
var RSP = 19;
function nameKnownRegions(regions, layout) {
  const vdso = auxvValue(layout.auxv, AT_SYSINFO_EHDR);
  const main = layout.threads.find((t) => t.tid === layout.process?.pid) ?? layout.threads[0];
  const rsp = main?.registers[RSP];
  const vdsoIndex = regions.findIndex((r) => r.start === vdso);
  const vvar = new Set;
  for (let i = vdsoIndex - 1, end = vdso;i >= 0 && i >= vdsoIndex - 2 && regions[i].path === "" && regions[i].end === end; i--) {
    vvar.add(regions[i]);
    end = regions[i].start;
  }
  return regions.map((region) => {
    if (region.path !== "")
      return region;
    if (vvar.has(region))
      return { ...region, path: "[vvar]", leftOut: "kernel data page (reading it faults)" };
    const name = region.start === vdso ? "[vdso]" : region.start === VSYSCALL ? "[vsyscall]" : rsp !== undefined && region.start <= rsp && rsp < region.end ? "[stack]" : undefined;
    if (name === undefined)
      return region;
    return name === "[vsyscall]" ? { ...region, path: name, perms: "--xp", leftOut: "not readable" } : { ...region, path: name };
  });
}
function auxvValue(auxv, type) {
  if (auxv === undefined)
    return;
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let at = 0;at + 16 <= auxv.length; at += 16)
    if (view.getBigUint64(at, true) === type)
      return view.getBigUint64(at + 8, true);
  return;
}
function fileOf(region) {
  return isFileMapping(region) && !region.deleted ? region.path : undefined;
}
function core(region, segment, file) {
  const leftOut = region.perms.startsWith("r") ? undefined : "not readable";
  return { ...region, segment, file, vmFlags: [], leftOut, untouched: [], missing: [], absent: leftOut === undefined ? absentOf(region, segment, file) : [] };
}
function absentOf(region, segment, file) {
  if (file !== undefined)
    return [];
  const held = segment === undefined ? region.start : segment.vaddr + segment.filesz;
  return held < region.end ? [{ start: held > region.start ? held : region.start, end: region.end }] : [];
}
function splitDeleted(path) {
  return path.endsWith(" (deleted)") ? { path: path.slice(0, -" (deleted)".length), deleted: true } : { path, deleted: false };
}

// src/target/core-target.ts
class CoreTarget {
  identity;
  writable = undefined;
  snapshot;
  path;
  layout;
  #fd;
  #regions;
  #files;
  #libc;
  constructor(path, fd, layout, note, libc) {
    this.path = path;
    this.#fd = fd;
    this.layout = layout;
    this.snapshot = note;
    this.#libc = libc;
    this.#regions = coreRegions(layout, note, filePerms);
    this.#files = new CoreFiles(this.#regions, (address, length) => this.#readHeld(address, length), (path) => note?.modules.find((m) => m.path === path)?.buildId);
    this.identity = note?.identity ?? this.#identityFromNotes();
  }
  static async open(path, { snapshot }) {
    let fd;
    try {
      fd = openSync2(path, "r");
    } catch (error) {
      const code = error.code;
      throw new UsageError("core-unreadable", `cannot open ${path}: ${code === "ENOENT" ? "no such file" : error.message}`, { hint: "check the path of the core or snapshot file" });
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile())
        throw new CoreFormatError("not a regular file (a directory or a device?)");
      const size = stat.size;
      const layout = parseCore((offset, length) => readAt(fd, offset, length), size);
      let note;
      if (layout.pvm !== undefined)
        note = decodeSnapshotNote(layout.pvm);
      else if (snapshot)
        throw new CoreFormatError(`it has no pvm snapshot note (type 0x${NT_PVM_SNAPSHOT.toString(16)}): it is a core file, not a pvm snapshot`);
      const libc = await loadLibc().catch(() => {
        return;
      });
      return new CoreTarget(path, fd, layout, note, libc);
    } catch (error) {
      closeSync2(fd);
      if (error instanceof CoreFormatError || error instanceof SnapshotNoteError) {
        const asCore = snapshot && error instanceof CoreFormatError && error.message.includes("not a pvm snapshot");
        throw new UsageError("bad-core", `${path}: ${error.message}`, {
          hint: asCore ? `read it with --core ${path}` : "pvm reads 64-bit x86-64 ELF core files: pvm snapshots, gcore files and the kernel's cores",
          cause: error
        });
      }
      throw error;
    }
  }
  regions() {
    return this.#regions;
  }
  threads() {
    const pid = this.identity.pid;
    return [...this.layout.threads].sort((a, b) => a.tid === pid ? -1 : b.tid === pid ? 1 : a.tid - b.tid).map((thread) => ({ tid: thread.tid, registers: this.snapshot?.threadsWithoutRegisters.includes(thread.tid) ? undefined : thread.registers }));
  }
  read(requests) {
    return requests.map(({ address, length }) => {
      const bytes = new Uint8Array(length);
      const { done, reason } = this.#copy(address, length, bytes, 0);
      return { bytes, done, fault: done < length ? { address: address + BigInt(done), reason } : undefined };
    });
  }
  moduleFile(path) {
    return this.#files.reader(path, describeTarget(this.identity), this.snapshot?.modules.find((m) => m.path === path)?.buildId);
  }
  openScan() {
    const libc = this.#libc;
    let scratch;
    let heap;
    const search = libc === undefined ? { ...bufferSearch, close() {} } : fastestSearch(libc, (bytes) => scratch !== undefined && bytes.buffer === scratch.bytes.buffer ? Number(scratch.address) + bytes.byteOffset - scratch.bytes.byteOffset : undefined);
    const bufferFor = (size) => {
      if (libc === undefined)
        return heap !== undefined && heap.length >= size ? heap : heap = new Uint8Array(size);
      if (scratch === undefined || scratch.bytes.length < size) {
        scratch?.free();
        scratch = libc.alloc(2 ** Math.ceil(Math.log2(Math.max(size, 4096))));
      }
      return scratch.bytes;
    };
    const vmFlags = new Map;
    for (const region of this.#regions)
      if (region.vmFlags.length > 0)
        vmFlags.set(region.start, region.vmFlags);
    return {
      regions: this.#regions,
      vmFlags,
      residentRuns: (start, end) => this.#heldRuns(start, end),
      readChunks: (requests) => {
        const total = requests.reduce((sum, r) => sum + r.length, 0);
        const buffer = bufferFor(total);
        let at = 0;
        return requests.map(({ address, length }) => {
          const bytes = buffer.subarray(at, at + length);
          const { done, reason } = this.#copy(address, length, buffer, at);
          at += length;
          return { bytes, done, fault: done < length ? { address: address + BigInt(done), reason } : undefined };
        });
      },
      skip: (region) => this.#skip(region),
      search,
      close: () => {
        search.close();
        scratch?.free();
      }
    };
  }
  close() {
    this.#files.close();
    closeSync2(this.#fd);
  }
  #copy(address, length, into, at) {
    let done = 0;
    while (done < length) {
      const here = address + BigInt(done);
      const piece = this.#pieceAt(here, length - done);
      if (piece.kind === "fault")
        return { done, reason: piece.reason };
      if (piece.kind === "absent")
        return { done, reason: this.#absent(piece.region) };
      const target = into.subarray(at + done, at + done + piece.length);
      if (piece.kind === "core")
        this.#readCore(target, piece.offset);
      else {
        const { filled, problem } = this.#files.read(piece.region, target, piece.offset);
        if (filled < piece.length)
          return { done: done + filled, reason: problem };
      }
      done += piece.length;
    }
    return { done, reason: undefined };
  }
  #skip(region) {
    if (region.leftOut !== undefined)
      return `left out of the ${this.snapshot === undefined ? "core" : "snapshot"}: ${region.leftOut}`;
    const covered = region.segment === undefined ? 0n : region.segment.filesz;
    if (region.file === undefined)
      return covered === 0n ? this.#absent(region) : undefined;
    if (covered >= region.end - region.start)
      return;
    const problem = this.#files.problemOf(region);
    return problem === undefined ? undefined : `the core does not hold all of it, and ${problem}`;
  }
  #readHeld(address, length) {
    const piece = this.#pieceAt(address, length);
    if (piece.kind !== "core" || piece.length < length)
      return;
    const bytes = new Uint8Array(length);
    this.#readCore(bytes, piece.offset);
    return bytes;
  }
  #readCore(into, offset) {
    let got = 0;
    while (got < into.length) {
      const n = readSync(this.#fd, into, got, into.length - got, Number(offset) + got);
      if (n <= 0)
        throw new TargetError("core-truncated", `${this.path} ends before offset ${Number(offset) + got}: the core is truncated`, { hint: "copy the whole core file again" });
      got += n;
    }
  }
  #pieceAt(address, wanted) {
    const region = regionAt(this.#regions, address);
    if (region === undefined)
      return { kind: "fault", reason: undefined };
    if (region.leftOut !== undefined)
      return { kind: "fault", reason: `left out of the ${this.snapshot === undefined ? "core" : "snapshot"} (${region.leftOut})` };
    const upTo = (limit) => Math.min(wanted, Number(limit - address));
    let end = region.end;
    for (const range of region.missing) {
      if (range.start <= address && address < range.end)
        return { kind: "fault", reason: "it could not be read when the snapshot was taken (unmapped or changed during the capture)" };
      if (range.start > address && range.start < end)
        end = range.start;
    }
    const segment = region.segment;
    if (segment !== undefined && address >= segment.vaddr && address < segment.vaddr + segment.filesz) {
      const heldEnd = segment.vaddr + segment.filesz;
      return { kind: "core", offset: segment.fileOffset + (address - segment.vaddr), length: upTo(heldEnd < end ? heldEnd : end) };
    }
    if (region.file !== undefined)
      return { kind: "file", region, offset: region.offset + (address - region.start), length: upTo(end) };
    return { kind: "absent", region, length: upTo(end) };
  }
  #heldRuns(start, end) {
    const runs = [];
    for (let i = firstEndingAfter(this.#regions, start);i < this.#regions.length; i++) {
      const region = this.#regions[i];
      if (region.start >= end)
        break;
      const from = region.start > start ? region.start : start;
      const to = region.end < end ? region.end : end;
      const gaps = [...region.untouched, ...region.missing, ...region.absent].sort((a, b) => a.start < b.start ? -1 : 1);
      splitByRanges(gaps, from, to, () => {}, (a, b) => runs.push({ start: a, end: b }));
    }
    return joinRanges(runs);
  }
  #absent(region) {
    const hex = (n) => `0x${n.toString(16)}`;
    return `the core holds no bytes of ${hex(region.start)}-${hex(region.end)} (${region.perms}${region.path === "" ? "" : ` ${region.path}`}) and no file is mapped there to take them from`;
  }
  #identityFromNotes() {
    const info = this.layout.process;
    const execFn = this.#execFn();
    return {
      kind: "core",
      pid: info?.pid ?? this.layout.threads[0]?.tid,
      name: info?.name ?? this.path,
      exe: execFn,
      cmdline: info === undefined || info.args === "" ? [] : info.args.trimEnd().split(" "),
      startTime: undefined
    };
  }
  #execFn() {
    const address = auxvValue(this.layout.auxv, 31n);
    if (address === undefined)
      return;
    const result = attempt(() => this.read([{ address, length: 4096 }])[0]);
    const text = result?.bytes.subarray(0, result.done);
    const nul = text?.indexOf(0) ?? -1;
    return text !== undefined && nul > 0 ? new TextDecoder().decode(text.subarray(0, nul)) : undefined;
  }
}
function regionAt(regions, address) {
  const region = regions[firstEndingAfter(regions, address)];
  return region !== undefined && region.start <= address ? region : undefined;
}
export {
  CoreTarget
};
