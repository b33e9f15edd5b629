import {
  X86_64_REGISTERS
} from "./main-zffz883y.js";

// src/native/core-structs.ts
var NT_PRSTATUS = 1;
var NT_PRFPREG = 2;
var NT_PRPSINFO = 3;
var NT_AUXV = 6;
var NT_SIGINFO = 1397311305;
var NT_FILE = 1179208773;
var NT_PVM_SNAPSHOT = 1347833089;
var PN_XNUM = 65535;
var PRSTATUS_SIZE = 336;
var PRSTATUS = { signo: 0, cursig: 12, pid: 32, ppid: 36, pgrp: 40, sid: 44, reg: 112, fpvalid: 328 };
var PRPSINFO_SIZE = 136;
var PRPSINFO = {
  state: 0,
  sname: 1,
  zomb: 2,
  nice: 3,
  flag: 8,
  uid: 16,
  gid: 20,
  pid: 24,
  ppid: 28,
  pgrp: 32,
  sid: 36,
  fname: 40,
  psargs: 56
};
var PR_FNAME_SIZE = 16;
var PR_PSARGS_SIZE = 80;
var NOTE_NAMES = {
  [NT_PRSTATUS]: "NT_PRSTATUS",
  [NT_PRFPREG]: "NT_PRFPREG",
  [NT_PRPSINFO]: "NT_PRPSINFO",
  [NT_AUXV]: "NT_AUXV",
  [NT_SIGINFO]: "NT_SIGINFO",
  [NT_FILE]: "NT_FILE",
  [NT_PVM_SNAPSHOT]: "NT_PVM_SNAPSHOT",
  514: "NT_X86_XSTATE"
};
function noteTypeName(type) {
  return NOTE_NAMES[type] ?? `type 0x${type.toString(16)}`;
}
// src/native/core-layout.ts
var EHDR_SIZE = 64;
var PHDR_SIZE = 56;
var SHDR_SIZE = 64;
var PT_LOAD = 1;
var PT_NOTE = 4;
var U64_LIMIT = 1n << 64n;
var STATES = "RSDTZW";
var align4 = (n) => n + (-n & 3);
var alignUp = (n, to) => (n + to - 1n) / to * to;
function layoutCore(input) {
  const pageSize = BigInt(input.pageSize);
  if (!Number.isSafeInteger(input.pageSize) || pageSize <= 0n || (pageSize & pageSize - 1n) !== 0n) {
    throw new RangeError(`layoutCore: page size ${input.pageSize} is not a power of two`);
  }
  const [first, ...others] = input.threads;
  const notes = [
    ...first === undefined ? [] : [note("CORE", NT_PRSTATUS, prstatus(first))],
    note("CORE", NT_PRPSINFO, prpsinfo(input.process)),
    ...input.auxv === undefined ? [] : [note("CORE", NT_AUXV, input.auxv)],
    note("CORE", NT_FILE, fileNote(input.files, pageSize)),
    ...others.map((thread) => note("CORE", NT_PRSTATUS, prstatus(thread))),
    ...input.pvm === undefined ? [] : [note("PVM", NT_PVM_SNAPSHOT, input.pvm)]
  ];
  const phnum = 1 + input.segments.length;
  const notesAt = EHDR_SIZE + phnum * PHDR_SIZE;
  const notesSize = notes.reduce((sum, n) => sum + n.length, 0);
  const extended = phnum >= PN_XNUM;
  const shdrAt = notesAt + notesSize;
  const dataStart = alignUp(BigInt(shdrAt + (extended ? SHDR_SIZE : 0)), pageSize);
  const head = new Uint8Array(Number(dataStart));
  const view = new DataView(head.buffer);
  head.set([127, 69, 76, 70, 2, 1, 1]);
  view.setUint16(16, 4, true);
  view.setUint16(18, 62, true);
  view.setUint32(20, 1, true);
  view.setBigUint64(32, BigInt(EHDR_SIZE), true);
  view.setUint16(52, EHDR_SIZE, true);
  view.setUint16(54, PHDR_SIZE, true);
  view.setUint16(56, extended ? PN_XNUM : phnum, true);
  if (extended) {
    view.setBigUint64(40, BigInt(shdrAt), true);
    view.setUint16(58, SHDR_SIZE, true);
    view.setUint16(60, 1, true);
    view.setUint32(shdrAt + 44, phnum, true);
  }
  const phdr = (i, type, flags, offset, vaddr, filesz, memsz, align) => {
    const at = EHDR_SIZE + i * PHDR_SIZE;
    view.setUint32(at, type, true);
    view.setUint32(at + 4, flags, true);
    view.setBigUint64(at + 8, offset, true);
    view.setBigUint64(at + 16, vaddr, true);
    view.setBigUint64(at + 32, filesz, true);
    view.setBigUint64(at + 40, memsz, true);
    view.setBigUint64(at + 48, align, true);
  };
  phdr(0, PT_NOTE, 0, BigInt(notesAt), 0n, BigInt(notesSize), 0n, 4n);
  let at = notesAt;
  for (const n of notes)
    head.set(n, (at += n.length) - n.length);
  const dataOffsets = [];
  let offset = dataStart;
  let size = dataStart;
  input.segments.forEach((segment, i) => {
    const { vaddr, memsz, filesz, flags } = segment;
    if (filesz < 0n || filesz > memsz || vaddr < 0n || vaddr + memsz > U64_LIMIT) {
      throw new RangeError(`layoutCore: segment ${i} (vaddr 0x${vaddr.toString(16)}, memsz ${memsz}, filesz ${filesz}) cannot be in a core`);
    }
    phdr(1 + i, PT_LOAD, flags, offset, vaddr, filesz, memsz, pageSize);
    dataOffsets.push(offset);
    if (offset + filesz > size)
      size = offset + filesz;
    offset = alignUp(offset + filesz, pageSize);
  });
  return { head, dataOffsets, size };
}
function note(name, type, desc) {
  const nameBytes = new TextEncoder().encode(`${name}\x00`);
  const bytes = new Uint8Array(12 + align4(nameBytes.length) + align4(desc.length));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, nameBytes.length, true);
  view.setUint32(4, desc.length, true);
  view.setUint32(8, type, true);
  bytes.set(nameBytes, 12);
  bytes.set(desc, 12 + align4(nameBytes.length));
  return bytes;
}
function u64(value, what) {
  if (value < 0n || value >= U64_LIMIT)
    throw new RangeError(`layoutCore: ${what} (${value}) is not a u64`);
  return value;
}
function prstatus(thread) {
  if (thread.registers.length !== X86_64_REGISTERS.length) {
    throw new RangeError(`layoutCore: thread ${thread.tid} has ${thread.registers.length} registers, not ${X86_64_REGISTERS.length}`);
  }
  const bytes = new Uint8Array(PRSTATUS_SIZE);
  const view = new DataView(bytes.buffer);
  view.setInt32(PRSTATUS.signo, thread.signal, true);
  view.setUint16(PRSTATUS.cursig, thread.signal, true);
  view.setInt32(PRSTATUS.pid, thread.tid, true);
  view.setInt32(PRSTATUS.ppid, thread.ppid, true);
  view.setInt32(PRSTATUS.pgrp, thread.pgrp, true);
  view.setInt32(PRSTATUS.sid, thread.sid, true);
  thread.registers.forEach((value, i) => view.setBigUint64(PRSTATUS.reg + i * 8, u64(value, X86_64_REGISTERS[i]), true));
  return bytes;
}
function prpsinfo(process) {
  const bytes = new Uint8Array(PRPSINFO_SIZE);
  const view = new DataView(bytes.buffer);
  const letter = process.state.charCodeAt(0);
  bytes[PRPSINFO.state] = Math.max(0, STATES.indexOf(process.state.charAt(0)));
  bytes[PRPSINFO.sname] = letter > 0 && letter < 128 ? letter : 0;
  bytes[PRPSINFO.zomb] = process.state === "Z" ? 1 : 0;
  view.setUint32(PRPSINFO.uid, process.uid, true);
  view.setUint32(PRPSINFO.gid, process.gid, true);
  view.setInt32(PRPSINFO.pid, process.pid, true);
  view.setInt32(PRPSINFO.ppid, process.ppid, true);
  view.setInt32(PRPSINFO.pgrp, process.pgrp, true);
  view.setInt32(PRPSINFO.sid, process.sid, true);
  bytes.set(truncatedUtf8(process.name, PR_FNAME_SIZE - 1), PRPSINFO.fname);
  bytes.set(truncatedUtf8(process.args, PR_PSARGS_SIZE - 1), PRPSINFO.psargs);
  return bytes;
}
function truncatedUtf8(text, max) {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max)
    return bytes;
  let end = max;
  while (end > 0 && (bytes[end] & 192) === 128)
    end--;
  return bytes.subarray(0, end);
}
function fileNote(files, pageSize) {
  const encoder = new TextEncoder;
  const paths = files.map((file) => encoder.encode(`${file.path}\x00`));
  const bytes = new Uint8Array(16 + files.length * 24 + paths.reduce((sum, p) => sum + p.length, 0));
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(files.length), true);
  view.setBigUint64(8, pageSize, true);
  let at = 16 + files.length * 24;
  files.forEach((file, i) => {
    if (file.offset % pageSize !== 0n)
      throw new RangeError(`layoutCore: ${file.path} is mapped at file offset ${file.offset}, not a multiple of the page size`);
    view.setBigUint64(16 + i * 24, u64(file.start, "a mapping start"), true);
    view.setBigUint64(24 + i * 24, u64(file.end, "a mapping end"), true);
    view.setBigUint64(32 + i * 24, file.offset / pageSize, true);
    bytes.set(paths[i], at);
    at += paths[i].length;
  });
  return bytes;
}

// src/native/core-format.ts
class CoreFormatError extends Error {
}
var ET_CORE = 4;
var EM_X86_64 = 62;
var PT_LOAD2 = 1;
var PT_NOTE2 = 4;
var PHDR_SIZE2 = 56;
var MAX_NOTES_SIZE = 256 * 1024 * 1024;
var NOT_CORE = { 1: "an ELF relocatable object (.o)", 2: "an ELF executable", 3: "an ELF shared object or PIE executable" };
var MACHINES = {
  3: "an i386",
  8: "a MIPS",
  20: "a PowerPC",
  21: "a PowerPC64",
  22: "an s390",
  40: "an ARM",
  183: "an aarch64",
  243: "a RISC-V",
  258: "a LoongArch"
};
var CORE = [67, 79, 82, 69, 0];
var PVM = [80, 86, 77, 0];
var hex = (n) => `0x${n.toString(16)}`;
var range = (start, size) => `${hex(start)}-${hex(start + size)}`;
var align42 = (n) => n + (-n & 3);
function parseCore(read, size) {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`parseCore: bad file size ${size}`);
  const fileSize = BigInt(size);
  const bytesAt = (offset, length, what) => {
    if (offset + BigInt(length) > fileSize)
      throw new CoreFormatError(`truncated: ${what} lies past the end of the file (size ${size})`);
    const bytes = read(Number(offset), length);
    if (bytes.length < length)
      throw new CoreFormatError(`truncated: ${what} could not be read: the file ended after ${bytes.length} of ${length} bytes`);
    return bytes.subarray(0, length);
  };
  const header = checkHeader(size === 0 ? new Uint8Array(0) : read(0, Math.min(size, 64)));
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const phoff = view.getBigUint64(32, true);
  let phnum = view.getUint16(56, true);
  if (phnum === PN_XNUM) {
    const section = bytesAt(view.getBigUint64(40, true), 64, "the section header that holds the program header count");
    phnum = new DataView(section.buffer, section.byteOffset, 64).getUint32(44, true);
  }
  const tableEnd = phoff + BigInt(phnum * PHDR_SIZE2);
  if (tableEnd > fileSize) {
    const first = phoff >= fileSize ? 0n : (fileSize - phoff) / BigInt(PHDR_SIZE2);
    throw new CoreFormatError(`truncated: program header ${first} lies past the end of the file (size ${size})`);
  }
  const table = bytesAt(phoff, phnum * PHDR_SIZE2, "the program headers");
  const phdrs = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const segments = [];
  const loadIndex = [];
  const noteSegments = [];
  let cut;
  for (let i = 0;i < phnum; i++) {
    const at = i * PHDR_SIZE2;
    const type = phdrs.getUint32(at, true);
    const flags = phdrs.getUint32(at + 4, true);
    const fileOffset = phdrs.getBigUint64(at + 8, true);
    const vaddr = phdrs.getBigUint64(at + 16, true);
    const filesz = phdrs.getBigUint64(at + 32, true);
    const memsz = phdrs.getBigUint64(at + 40, true);
    if (filesz > 0n && fileOffset + filesz > fileSize && (cut === undefined || fileOffset < cut.fileOffset)) {
      cut = { index: i, type, fileOffset, filesz, vaddr, memsz };
    }
    if (type === PT_NOTE2 && filesz > 0n)
      noteSegments.push({ index: i, offset: fileOffset, filesz });
    if (type !== PT_LOAD2)
      continue;
    const where = () => `the memory at ${range(vaddr, memsz)} (program header ${i})`;
    if (vaddr + memsz > 1n << 64n)
      throw new CoreFormatError(`corrupt: ${where()} runs past the top of the address space`);
    if (filesz > memsz)
      throw new CoreFormatError(`corrupt: ${where()} has ${filesz} bytes in the file but only ${memsz} in memory`);
    segments.push({ vaddr, memsz, fileOffset, filesz, flags });
    loadIndex.push(i);
  }
  if (cut !== undefined) {
    const end = cut.fileOffset + cut.filesz;
    const missing = end - (cut.fileOffset > fileSize ? cut.fileOffset : fileSize);
    const what = cut.type === PT_NOTE2 ? `the notes (program header ${cut.index}) are` : `the memory at ${range(cut.vaddr, cut.memsz)} (program header ${cut.index}) is`;
    throw new CoreFormatError(`truncated: ${what} missing the last ${missing} of ${cut.filesz} bytes: the file ends at ${size}, the segment at ${end}`);
  }
  checkOverlaps(segments, loadIndex);
  const found = { threads: [], process: undefined, auxv: undefined, files: [], filePageSize: undefined, pvm: undefined, notes: 0 };
  for (const segment of noteSegments) {
    if (segment.filesz > BigInt(MAX_NOTES_SIZE)) {
      throw new CoreFormatError(`corrupt: the note segment (program header ${segment.index}) claims ${segment.filesz} bytes, more than pvm accepts (${MAX_NOTES_SIZE})`);
    }
    readNotes(bytesAt(segment.offset, Number(segment.filesz), `the note segment (program header ${segment.index})`), segment.index, found);
  }
  const { threads, process, auxv, files, filePageSize, pvm } = found;
  return { segments, threads, process, auxv, files, filePageSize, pvm };
}
function checkHeader(bytes) {
  if (bytes.length === 0)
    throw new CoreFormatError("an empty file (0 bytes), not a core file");
  const magic = [127, 69, 76, 70];
  if (magic.some((b, i) => i < bytes.length && bytes[i] !== b))
    throw new CoreFormatError("not an ELF file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bigEndian = bytes[5] === 2;
  const type = bytes.length >= 18 ? view.getUint16(16, !bigEndian) : undefined;
  const kind = type === ET_CORE ? "core" : "file";
  if (bytes[4] === 1)
    throw new CoreFormatError(`a 32-bit ELF ${kind}; pvm reads 64-bit x86-64 cores`);
  if (bytes.length > 4 && bytes[4] !== 2)
    throw new CoreFormatError(`not a valid ELF file (EI_CLASS ${bytes[4]})`);
  if (bigEndian)
    throw new CoreFormatError(`a big-endian ELF ${kind}; pvm reads little-endian x86-64 cores`);
  if (bytes.length > 5 && bytes[5] !== 1)
    throw new CoreFormatError(`not a valid ELF file (EI_DATA ${bytes[5]})`);
  if (bytes.length < 64 || type === undefined)
    throw new CoreFormatError(`truncated: the ELF header needs 64 bytes, the file has ${bytes.length}`);
  if (type !== ET_CORE)
    throw new CoreFormatError(`${NOT_CORE[type] ?? "an ELF file"}, not a core file (e_type ${type})`);
  const machine = view.getUint16(18, true);
  if (machine !== EM_X86_64)
    throw new CoreFormatError(`${MACHINES[machine] ?? `a machine ${machine}`} core; pvm reads x86-64 cores`);
  const phentsize = view.getUint16(54, true);
  if (phentsize !== PHDR_SIZE2)
    throw new CoreFormatError(`corrupt ELF header: program headers are ${phentsize} bytes each, not ${PHDR_SIZE2}`);
  return bytes;
}
function checkOverlaps(segments, loadIndex) {
  const order = segments.map((_, i) => i).filter((i) => segments[i].memsz > 0n);
  order.sort((a, b) => segments[a].vaddr < segments[b].vaddr ? -1 : segments[a].vaddr > segments[b].vaddr ? 1 : 0);
  for (let k = 1;k < order.length; k++) {
    const [a, b] = [segments[order[k - 1]], segments[order[k]]];
    if (a.vaddr + a.memsz > b.vaddr) {
      throw new CoreFormatError(`corrupt: program headers ${loadIndex[order[k - 1]]} and ${loadIndex[order[k]]} overlap (${range(a.vaddr, a.memsz)} and ${range(b.vaddr, b.memsz)})`);
    }
  }
}
function readNotes(bytes, segment, found) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder;
  const decode = (b) => decoder.decode(b);
  for (let at = 0;at + 12 <= bytes.length; found.notes++) {
    const namesz = view.getUint32(at, true);
    const descsz = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const descAt = at + 12 + align42(namesz);
    if (descAt + descsz > bytes.length) {
      const needs = descAt + descsz - at;
      throw new CoreFormatError(`corrupt: ${noteLabel(found.notes, type)} needs ${needs} bytes but its note segment (program header ${segment}) has only ${bytes.length - at} left`);
    }
    if (namesz > 0 && bytes[at + 12 + namesz - 1] !== 0)
      throw new CoreFormatError(`corrupt: the name of ${noteLabel(found.notes, type)} is not NUL-terminated`);
    const owner = namesz === 5 && startsWith(bytes, at + 12, CORE) ? "CORE" : namesz === 4 && startsWith(bytes, at + 12, PVM) ? "PVM" : undefined;
    at = descAt + align42(descsz);
    if (owner === undefined)
      continue;
    const label = noteLabel(found.notes, type);
    const desc = bytes.subarray(descAt, descAt + descsz);
    if (owner === "CORE" && type === NT_PRSTATUS)
      found.threads.push(readPrstatus(desc, label));
    else if (owner === "CORE" && type === NT_PRPSINFO)
      found.process = once(found.process, label) ?? readPrpsinfo(desc, label, decode);
    else if (owner === "CORE" && type === NT_AUXV)
      found.auxv = once(found.auxv, label) ?? new Uint8Array(desc);
    else if (owner === "CORE" && type === NT_FILE)
      Object.assign(found, once(found.filePageSize, label) ?? readFileNote(desc, label, decode));
    else if (owner === "PVM" && type === NT_PVM_SNAPSHOT)
      found.pvm = once(found.pvm, label) ?? new Uint8Array(desc);
  }
}
var noteLabel = (index, type) => `note ${index} (${noteTypeName(type)})`;
function once(seen, label) {
  if (seen !== undefined)
    throw new CoreFormatError(`corrupt: ${label} is the second of its kind`);
  return;
}
function startsWith(bytes, at, prefix) {
  return prefix.every((b, i) => bytes[at + i] === b);
}
function checkSize(desc, expected, label) {
  if (desc.length !== expected)
    throw new CoreFormatError(`corrupt: ${label} is ${desc.length} bytes, not ${expected} as on x86-64`);
  return new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
}
function readPrstatus(desc, label) {
  const view = checkSize(desc, PRSTATUS_SIZE, label);
  return {
    tid: view.getInt32(PRSTATUS.pid, true),
    ppid: view.getInt32(PRSTATUS.ppid, true),
    pgrp: view.getInt32(PRSTATUS.pgrp, true),
    sid: view.getInt32(PRSTATUS.sid, true),
    signal: view.getUint16(PRSTATUS.cursig, true),
    registers: X86_64_REGISTERS.map((_, i) => view.getBigUint64(PRSTATUS.reg + i * 8, true))
  };
}
function readPrpsinfo(desc, label, decode) {
  const view = checkSize(desc, PRPSINFO_SIZE, label);
  const text = (at, length) => {
    const field = desc.subarray(at, at + length);
    const nul = field.indexOf(0);
    return decode(nul < 0 ? field : field.subarray(0, nul));
  };
  const sname = desc[PRPSINFO.sname];
  return {
    pid: view.getInt32(PRPSINFO.pid, true),
    ppid: view.getInt32(PRPSINFO.ppid, true),
    pgrp: view.getInt32(PRPSINFO.pgrp, true),
    sid: view.getInt32(PRPSINFO.sid, true),
    uid: view.getUint32(PRPSINFO.uid, true),
    gid: view.getUint32(PRPSINFO.gid, true),
    state: sname === 0 ? "" : String.fromCharCode(sname),
    name: text(PRPSINFO.fname, PR_FNAME_SIZE),
    args: text(PRPSINFO.psargs, PR_PSARGS_SIZE).replace(/ +$/, "")
  };
}
function readFileNote(desc, label, decode) {
  const corrupt = (why) => new CoreFormatError(`${label} is corrupt: ${why}`);
  if (desc.length < 16)
    throw corrupt(`${desc.length} bytes is too short for its 16-byte header`);
  const view = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const count = view.getBigUint64(0, true);
  const pageSize = view.getBigUint64(8, true);
  const tableEnd = 16n + count * 24n;
  if (tableEnd > BigInt(desc.length))
    throw corrupt(`it lists ${count} files, which need ${tableEnd} bytes, but it has ${desc.length}`);
  if (pageSize === 0n && count > 0n)
    throw corrupt("its page size is 0");
  const files = [];
  let at = Number(tableEnd);
  for (let i = 0;i < Number(count); i++) {
    const start = view.getBigUint64(16 + i * 24, true);
    const end = view.getBigUint64(24 + i * 24, true);
    const pgoff = view.getBigUint64(32 + i * 24, true);
    if (end < start)
      throw corrupt(`file ${i} ends (${hex(end)}) before it starts (${hex(start)})`);
    const nul = desc.indexOf(0, at);
    if (nul < 0)
      throw corrupt(`it lists ${count} files but has only ${i} NUL-terminated paths`);
    files.push({ start, end, offset: pgoff * pageSize, path: decode(desc.subarray(at, nul)) });
    at = nul + 1;
  }
  return { files, filePageSize: pageSize };
}

// src/target/snapshot-note.ts
var SNAPSHOT_FORMAT = "pvm-snapshot";
var SNAPSHOT_VERSION = 1;

class SnapshotNoteError extends Error {
}
var hex2 = (value) => `0x${value.toString(16)}`;
var ranges = (list) => list.map((r) => [hex2(r.start), hex2(r.end)]);
function encodeSnapshotNote(note) {
  const json = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    pvmVersion: note.pvmVersion,
    takenAt: note.takenAt,
    frozen: note.frozen,
    identity: { ...note.identity, kind: "process" },
    pageSize: note.pageSize,
    regions: note.regions.map((r) => ({
      start: hex2(r.start),
      end: hex2(r.end),
      perms: r.perms,
      offset: hex2(r.offset),
      path: r.path,
      deleted: r.deleted,
      vmFlags: r.vmFlags,
      leftOut: r.leftOut ?? null,
      untouched: ranges(r.untouched),
      missing: ranges(r.missing)
    })),
    modules: note.modules.map((m) => ({ path: m.path, buildId: m.buildId ?? null })),
    registersMissing: note.registersMissing ?? null,
    threadsWithoutRegisters: note.threadsWithoutRegisters
  };
  return new TextEncoder().encode(JSON.stringify(json));
}
function decodeSnapshotNote(bytes) {
  let json;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new SnapshotNoteError(`pvm's note is not valid JSON (${error.message})`);
  }
  if (json === null || typeof json !== "object" || json.format !== SNAPSHOT_FORMAT)
    throw new SnapshotNoteError("pvm's note does not say it is a pvm snapshot");
  if (json.version !== SNAPSHOT_VERSION)
    throw new SnapshotNoteError(`the snapshot is of format version ${String(json.version)}; this pvm reads version ${SNAPSHOT_VERSION}`);
  const field = (object, key, check, what) => {
    const value = object[key];
    if (!check(value))
      throw new SnapshotNoteError(`pvm's note has no valid '${key}' (${what})`);
    return value;
  };
  const isString = (v) => typeof v === "string";
  const isHex = (v) => typeof v === "string" && /^0x[0-9a-f]+$/.test(v);
  const isArray = (v) => Array.isArray(v);
  const isNumber = (v) => typeof v === "number" && Number.isSafeInteger(v);
  const orNull = (check) => (v) => v === null || check(v);
  const rangeList = (object, key) => field(object, key, isArray, "a list of [start, end]").map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !isHex(pair[0]) || !isHex(pair[1]))
      throw new SnapshotNoteError(`pvm's note has a bad range in '${key}'`);
    return { start: BigInt(pair[0]), end: BigInt(pair[1]) };
  });
  const identity = field(json, "identity", (v) => typeof v === "object" && v !== null, "an object");
  const pid = field(identity, "pid", orNull(isNumber), "a number");
  const exe = field(identity, "exe", orNull(isString), "a path");
  const startTime = field(identity, "startTime", orNull(isString), "clock ticks");
  return {
    pvmVersion: field(json, "pvmVersion", isString, "a version"),
    takenAt: field(json, "takenAt", isString, "a time"),
    frozen: field(json, "frozen", (v) => typeof v === "boolean", "true or false"),
    identity: {
      kind: "core",
      pid: pid ?? undefined,
      name: field(identity, "name", isString, "a name"),
      exe: exe ?? undefined,
      cmdline: field(identity, "cmdline", (v) => Array.isArray(v) && v.every(isString), "a list of strings"),
      startTime: startTime ?? undefined
    },
    pageSize: field(json, "pageSize", isNumber, "a number"),
    regions: field(json, "regions", isArray, "a list").map((r) => ({
      start: BigInt(field(r, "start", isHex, "an address")),
      end: BigInt(field(r, "end", isHex, "an address")),
      perms: field(r, "perms", (v) => typeof v === "string" && /^[r-][w-][x-][ps]$/.test(v), "like r-xp"),
      offset: BigInt(field(r, "offset", isHex, "a file offset")),
      path: field(r, "path", isString, "a path"),
      deleted: field(r, "deleted", (v) => typeof v === "boolean", "true or false"),
      vmFlags: field(r, "vmFlags", (v) => Array.isArray(v) && v.every(isString), "a list of flags"),
      leftOut: field(r, "leftOut", orNull(isString), "a reason") ?? undefined,
      untouched: rangeList(r, "untouched"),
      missing: rangeList(r, "missing")
    })),
    modules: field(json, "modules", isArray, "a list").map((m) => ({ path: field(m, "path", isString, "a path"), buildId: field(m, "buildId", orNull(isString), "hex") ?? undefined })),
    registersMissing: field(json, "registersMissing", orNull(isString), "a reason") ?? undefined,
    threadsWithoutRegisters: field(json, "threadsWithoutRegisters", (v) => Array.isArray(v) && v.every(isNumber), "a list of thread ids")
  };
}

export { NT_PVM_SNAPSHOT, layoutCore, CoreFormatError, parseCore, SnapshotNoteError, encodeSnapshotNote, decodeSnapshotNote };
