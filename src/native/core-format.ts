// x86-64 ELF core files (docs/kernel.md §6): what pvm reads from a core's headers
// and notes, and the error a bad core raises. Pure: bytes in, data out. The
// writer's side is in core-layout.ts; both share the struct facts in
// core-structs.ts (checked against <sys/procfs.h> with offsetof).
import { noteTypeName, NT_AUXV, NT_FILE, NT_PRPSINFO, NT_PRSTATUS, NT_PVM_SNAPSHOT, PN_XNUM, PR_FNAME_SIZE, PR_PSARGS_SIZE, PRPSINFO, PRPSINFO_SIZE, PRSTATUS, PRSTATUS_SIZE, X86_64_REGISTERS } from './core-structs.ts';

export { NT_AUXV, NT_FILE, NT_PRFPREG, NT_PRPSINFO, NT_PRSTATUS, NT_PVM_SNAPSHOT, NT_SIGINFO, PRPSINFO_SIZE, PRSTATUS_SIZE, X86_64_REGISTERS } from './core-structs.ts';
export { type CoreLayoutInput, layoutCore } from './core-layout.ts';

export interface CoreThread {
  readonly tid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly sid: number;
  /** pr_cursig: the signal that stopped/killed it, 0 if none */
  readonly signal: number;
  /** In X86_64_REGISTERS order, 27 values (u64). */
  readonly registers: readonly bigint[];
}

export interface CoreProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly sid: number;
  readonly uid: number;
  readonly gid: number;
  /** one letter, 'R','S',… */
  readonly state: string;
  /** pr_fname, max 15 chars */
  readonly name: string;
  /** pr_psargs, max 79 chars, args joined by spaces */
  readonly args: string;
}

export interface CoreFileMapping {
  readonly start: bigint;
  readonly end: bigint;
  /** byte offset in the file (pgoff * page_size from NT_FILE) */
  readonly offset: bigint;
  readonly path: string;
}

export interface CoreSegment {
  readonly vaddr: bigint;
  readonly memsz: bigint;
  /** where its bytes start in the core file */
  readonly fileOffset: bigint;
  /** bytes present in the core (0 for kernel cores' unmodified file pages) */
  readonly filesz: bigint;
  /** PF_R=4, PF_W=2, PF_X=1 */
  readonly flags: number;
}

export interface CoreLayout {
  /** PT_LOADs, in file order */
  readonly segments: readonly CoreSegment[];
  /** one per NT_PRSTATUS, in note order */
  readonly threads: readonly CoreThread[];
  readonly process: CoreProcessInfo | undefined;
  readonly auxv: Uint8Array | undefined;
  /** NT_FILE */
  readonly files: readonly CoreFileMapping[];
  /** NT_FILE's page_size field as written (the kernel writes 4096, gdb's gcore writes 1) */
  readonly filePageSize: bigint | undefined;
  /** NT_PVM_SNAPSHOT descriptor bytes */
  readonly pvm: Uint8Array | undefined;
}

/** A malformed, truncated, foreign or non-core file; the message says what is wrong in a user's words. */
export class CoreFormatError extends Error {}

const ET_CORE = 4;
const EM_X86_64 = 62;
const PT_LOAD = 1;
const PT_NOTE = 4;
const PHDR_SIZE = 56;
/**
 * Far above any real core's notes, all note segments together (a thread's notes are ~14 KiB; NT_FILE for 65k
 * mappings is ~10 MiB), so a corrupt p_filesz cannot make us read gigabytes; and note segments may not overlap, so
 * that 64 headers pointing at the same 256 MiB are not walked 64 times: the work is proportional to the file.
 */
const MAX_NOTES_SIZE = 256 * 1024 * 1024;
/**
 * Mappings NT_FILE may list: 4 times the kernel's default vm.max_map_count (65530), the limit databases and search
 * engines ask for (262144). Each costs pvm about a kilobyte and a few microseconds (a region, its strings): a forged
 * count of 2 million took 3.4 GB and 69 s, this many takes about 1.5 s.
 */
export const MAX_FILE_MAPPINGS = 1 << 18;
/** The end of the x86-64 user address space with 5-level paging (57-bit addresses: user space is the lower half). NT_FILE names only user mappings. */
const USER_SPACE_END = 1n << 56n;
/** Mappings are whole pages of at least 4 KiB; file offsets are signed 64-bit. */
const MAPPING_ALIGN = 0x1000n;
const MAX_FILE_OFFSET = 1n << 63n;
const NOT_CORE: Record<number, string> = { 1: 'an ELF relocatable object (.o)', 2: 'an ELF executable', 3: 'an ELF shared object or PIE executable' };
const MACHINES: Record<number, string> = {
  3: 'an i386',
  8: 'a MIPS',
  20: 'a PowerPC',
  21: 'a PowerPC64',
  22: 'an s390',
  40: 'an ARM',
  183: 'an aarch64',
  243: 'a RISC-V',
  258: 'a LoongArch',
};

const CORE = [0x43, 0x4f, 0x52, 0x45, 0]; // "CORE\0"
const PVM = [0x50, 0x56, 0x4d, 0]; // "PVM\0"

const hex = (n: bigint) => `0x${n.toString(16)}`;
const range = (start: bigint, size: bigint) => `${hex(start)}-${hex(start + size)}`;
const align4 = (n: number) => n + (-n & 3);

/**
 * Reads a core's headers and notes (never PT_LOAD data) through `read(offset, length)`, which returns up to `length`
 * bytes at `offset`; `size` is the file size. Throws CoreFormatError for anything pvm cannot trust, including a
 * PT_LOAD whose bytes run past the end of the file (a truncated core).
 */
export function parseCore(read: (offset: number, length: number) => Uint8Array, size: number): CoreLayout {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`parseCore: bad file size ${size}`);
  const fileSize = BigInt(size);
  /** Exactly `length` bytes at `offset`, or the reason they are not there; `what` names them for the message. */
  const bytesAt = (offset: bigint, length: number, what: string): Uint8Array => {
    if (offset + BigInt(length) > fileSize) throw new CoreFormatError(`truncated: ${what} lies past the end of the file (size ${size})`);
    const bytes = read(Number(offset), length);
    if (bytes.length < length) throw new CoreFormatError(`truncated: ${what} could not be read: the file ended after ${bytes.length} of ${length} bytes`);
    return bytes.subarray(0, length);
  };

  const header = checkHeader(size === 0 ? new Uint8Array(0) : read(0, Math.min(size, 64)));
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const phoff = view.getBigUint64(32, true);
  let phnum = view.getUint16(56, true);
  // More than 65534 segments: e_phnum is PN_XNUM and the count is in section header 0's sh_info (elf(5)).
  if (phnum === PN_XNUM) {
    const section = bytesAt(view.getBigUint64(40, true), 64, 'the section header that holds the program header count');
    phnum = new DataView(section.buffer, section.byteOffset, 64).getUint32(44, true);
  }
  const tableEnd = phoff + BigInt(phnum * PHDR_SIZE);
  if (tableEnd > fileSize) {
    const first = phoff >= fileSize ? 0n : (fileSize - phoff) / BigInt(PHDR_SIZE);
    throw new CoreFormatError(`truncated: program header ${first} lies past the end of the file (size ${size})`);
  }
  const table = bytesAt(phoff, phnum * PHDR_SIZE, 'the program headers');
  const phdrs = new DataView(table.buffer, table.byteOffset, table.byteLength);

  const segments: CoreSegment[] = [];
  const loadIndex: number[] = [];
  const noteSegments: { index: number; offset: bigint; filesz: bigint }[] = [];
  let cut: { index: number; type: number; fileOffset: bigint; filesz: bigint; vaddr: bigint; memsz: bigint } | undefined;
  for (let i = 0; i < phnum; i++) {
    const at = i * PHDR_SIZE;
    const type = phdrs.getUint32(at, true);
    const flags = phdrs.getUint32(at + 4, true);
    const fileOffset = phdrs.getBigUint64(at + 8, true);
    const vaddr = phdrs.getBigUint64(at + 16, true);
    const filesz = phdrs.getBigUint64(at + 32, true);
    const memsz = phdrs.getBigUint64(at + 40, true);
    // A core cut short loses everything after the cut: name the first segment, in file order, that it reaches.
    if (filesz > 0n && fileOffset + filesz > fileSize && (cut === undefined || fileOffset < cut.fileOffset)) {
      cut = { index: i, type, fileOffset, filesz, vaddr, memsz };
    }
    if (type === PT_NOTE && filesz > 0n) noteSegments.push({ index: i, offset: fileOffset, filesz });
    if (type !== PT_LOAD) continue;
    const where = () => `the memory at ${range(vaddr, memsz)} (program header ${i})`;
    if (vaddr + memsz > 1n << 64n) throw new CoreFormatError(`corrupt: ${where()} runs past the top of the address space`);
    if (filesz > memsz) throw new CoreFormatError(`corrupt: ${where()} has ${filesz} bytes in the file but only ${memsz} in memory`);
    segments.push({ vaddr, memsz, fileOffset, filesz, flags });
    loadIndex.push(i);
  }
  if (cut !== undefined) {
    const end = cut.fileOffset + cut.filesz;
    const missing = end - (cut.fileOffset > fileSize ? cut.fileOffset : fileSize);
    const what = cut.type === PT_NOTE ? `the notes (program header ${cut.index}) are` : `the memory at ${range(cut.vaddr, cut.memsz)} (program header ${cut.index}) is`;
    throw new CoreFormatError(`truncated: ${what} missing the last ${missing} of ${cut.filesz} bytes: the file ends at ${size}, the segment at ${end}`);
  }
  checkOverlaps(segments, loadIndex);

  checkNoteSegments(noteSegments);
  const found: Found = { threads: [], process: undefined, auxv: undefined, files: [], filePageSize: undefined, pvm: undefined, notes: 0 };
  for (const segment of noteSegments) {
    readNotes(bytesAt(segment.offset, Number(segment.filesz), `the note segment (program header ${segment.index})`), segment.index, found);
  }
  const { threads, process, auxv, files, filePageSize, pvm } = found;
  return { segments, threads, process, auxv, files, filePageSize, pvm };
}

/** Checks the ELF header (the first ≤64 bytes) says "64-bit little-endian x86-64 core" and returns it. */
function checkHeader(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw new CoreFormatError('an empty file (0 bytes), not a core file');
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  if (magic.some((b, i) => i < bytes.length && bytes[i] !== b)) throw new CoreFormatError('not an ELF file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Class and byte order first: a 32-bit ELF header is only 52 bytes, and deserves better than "truncated".
  const bigEndian = bytes[5] === 2;
  const type = bytes.length >= 18 ? view.getUint16(16, !bigEndian) : undefined;
  const kind = type === ET_CORE ? 'core' : 'file';
  if (bytes[4] === 1) throw new CoreFormatError(`a 32-bit ELF ${kind}; pvm reads 64-bit x86-64 cores`);
  if (bytes.length > 4 && bytes[4] !== 2) throw new CoreFormatError(`not a valid ELF file (EI_CLASS ${bytes[4]})`);
  if (bigEndian) throw new CoreFormatError(`a big-endian ELF ${kind}; pvm reads little-endian x86-64 cores`);
  if (bytes.length > 5 && bytes[5] !== 1) throw new CoreFormatError(`not a valid ELF file (EI_DATA ${bytes[5]})`);
  if (bytes.length < 64 || type === undefined) throw new CoreFormatError(`truncated: the ELF header needs 64 bytes, the file has ${bytes.length}`);
  if (type !== ET_CORE) throw new CoreFormatError(`${NOT_CORE[type] ?? 'an ELF file'}, not a core file (e_type ${type})`);
  const machine = view.getUint16(18, true);
  if (machine !== EM_X86_64) throw new CoreFormatError(`${MACHINES[machine] ?? `a machine ${machine}`} core; pvm reads x86-64 cores`);
  const phentsize = view.getUint16(54, true);
  if (phentsize !== PHDR_SIZE) throw new CoreFormatError(`corrupt ELF header: program headers are ${phentsize} bytes each, not ${PHDR_SIZE}`);
  return bytes;
}

/** Two PT_LOADs claiming the same address would make reads ambiguous. Sorts a copy: O(n log n). */
function checkOverlaps(segments: readonly CoreSegment[], loadIndex: readonly number[]): void {
  const order = segments.map((_, i) => i).filter((i) => segments[i]!.memsz > 0n);
  order.sort((a, b) => (segments[a]!.vaddr < segments[b]!.vaddr ? -1 : segments[a]!.vaddr > segments[b]!.vaddr ? 1 : 0));
  for (let k = 1; k < order.length; k++) {
    const [a, b] = [segments[order[k - 1]!]!, segments[order[k]!]!];
    if (a.vaddr + a.memsz > b.vaddr) {
      throw new CoreFormatError(
        `corrupt: program headers ${loadIndex[order[k - 1]!]} and ${loadIndex[order[k]!]} overlap (${range(a.vaddr, a.memsz)} and ${range(b.vaddr, b.memsz)})`,
      );
    }
  }
}

/** Note segments lie in the file (checked with the other segments), each and all together at most MAX_NOTES_SIZE bytes, none overlapping another. */
function checkNoteSegments(segments: readonly { index: number; offset: bigint; filesz: bigint }[]): void {
  let total = 0n;
  for (const segment of segments) {
    total += segment.filesz;
    if (total > BigInt(MAX_NOTES_SIZE)) {
      const what = segments.length === 1 || segment.filesz > BigInt(MAX_NOTES_SIZE)
        ? `the note segment (program header ${segment.index}) claims ${segment.filesz} bytes`
        : `the note segments claim ${total} bytes or more (${segments.length} of them)`;
      throw new CoreFormatError(`corrupt: ${what}, more than pvm accepts (${MAX_NOTES_SIZE})`);
    }
  }
  const order = [...segments].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  for (let k = 1; k < order.length; k++) {
    const [a, b] = [order[k - 1]!, order[k]!];
    if (a.offset + a.filesz > b.offset) throw new CoreFormatError(`corrupt: the note segments of program headers ${a.index} and ${b.index} overlap in the file (at ${hex(b.offset)})`);
  }
}

/** What the notes have told so far, across note segments; `notes` counts them, for messages. */
interface Found {
  threads: CoreThread[];
  process: CoreProcessInfo | undefined;
  auxv: Uint8Array | undefined;
  files: readonly CoreFileMapping[];
  filePageSize: bigint | undefined;
  pvm: Uint8Array | undefined;
  notes: number;
}

/** Walks one note segment into `found`; every step advances at least 12 bytes, so the loop is bounded by its size. */
function readNotes(bytes: Uint8Array, segment: number, found: Found): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const decode = (b: Uint8Array) => decoder.decode(b);
  // Fewer than 12 bytes left is padding, not a note. Notes pvm skips cost no allocation: a corrupt p_offset can
  // point this loop at megabytes of memory, walked 12 bytes at a time.
  for (let at = 0; at + 12 <= bytes.length; found.notes++) {
    const namesz = view.getUint32(at, true);
    const descsz = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const descAt = at + 12 + align4(namesz);
    if (descAt + descsz > bytes.length) {
      const needs = descAt + descsz - at;
      throw new CoreFormatError(`corrupt: ${noteLabel(found.notes, type)} needs ${needs} bytes but its note segment (program header ${segment}) has only ${bytes.length - at} left`);
    }
    if (namesz > 0 && bytes[at + 12 + namesz - 1] !== 0) throw new CoreFormatError(`corrupt: the name of ${noteLabel(found.notes, type)} is not NUL-terminated`);
    const owner = namesz === 5 && startsWith(bytes, at + 12, CORE) ? 'CORE' : namesz === 4 && startsWith(bytes, at + 12, PVM) ? 'PVM' : undefined;
    at = descAt + align4(descsz);
    if (owner === undefined) continue;
    const label = noteLabel(found.notes, type);
    const desc = bytes.subarray(descAt, descAt + descsz);
    // auxv and pvm are copied with new Uint8Array, not .slice(): if `read` returns a Node Buffer, slice() shares memory.
    if (owner === 'CORE' && type === NT_PRSTATUS) found.threads.push(readPrstatus(desc, label));
    else if (owner === 'CORE' && type === NT_PRPSINFO) found.process = once(found.process, label) ?? readPrpsinfo(desc, label, decode);
    else if (owner === 'CORE' && type === NT_AUXV) found.auxv = once(found.auxv, label) ?? new Uint8Array(desc);
    else if (owner === 'CORE' && type === NT_FILE) Object.assign(found, once(found.filePageSize, label) ?? readFileNote(desc, label, decode));
    else if (owner === 'PVM' && type === NT_PVM_SNAPSHOT) found.pvm = once(found.pvm, label) ?? new Uint8Array(desc);
  }
}

const noteLabel = (index: number, type: number) => `note ${index} (${noteTypeName(type)})`;

/** Throws if a note that may appear once already has; returns undefined so that `once(…) ?? decode()` reads well. */
function once(seen: unknown, label: string): undefined {
  if (seen !== undefined) throw new CoreFormatError(`corrupt: ${label} is the second of its kind`);
  return undefined;
}

function startsWith(bytes: Uint8Array, at: number, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[at + i] === b);
}

function checkSize(desc: Uint8Array, expected: number, label: string): DataView {
  if (desc.length !== expected) throw new CoreFormatError(`corrupt: ${label} is ${desc.length} bytes, not ${expected} as on x86-64`);
  return new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
}

function readPrstatus(desc: Uint8Array, label: string): CoreThread {
  const view = checkSize(desc, PRSTATUS_SIZE, label);
  return {
    tid: view.getInt32(PRSTATUS.pid, true),
    ppid: view.getInt32(PRSTATUS.ppid, true),
    pgrp: view.getInt32(PRSTATUS.pgrp, true),
    sid: view.getInt32(PRSTATUS.sid, true),
    signal: view.getUint16(PRSTATUS.cursig, true),
    registers: X86_64_REGISTERS.map((_, i) => view.getBigUint64(PRSTATUS.reg + i * 8, true)),
  };
}

function readPrpsinfo(desc: Uint8Array, label: string, decode: (bytes: Uint8Array) => string): CoreProcessInfo {
  const view = checkSize(desc, PRPSINFO_SIZE, label);
  // Fixed-size char arrays: up to the first NUL, or all of it.
  const text = (at: number, length: number) => {
    const field = desc.subarray(at, at + length);
    const nul = field.indexOf(0);
    return decode(nul < 0 ? field : field.subarray(0, nul));
  };
  const sname = desc[PRPSINFO.sname]!;
  return {
    pid: view.getInt32(PRPSINFO.pid, true),
    ppid: view.getInt32(PRPSINFO.ppid, true),
    pgrp: view.getInt32(PRPSINFO.pgrp, true),
    sid: view.getInt32(PRPSINFO.sid, true),
    uid: view.getUint32(PRPSINFO.uid, true),
    gid: view.getUint32(PRPSINFO.gid, true),
    state: sname === 0 ? '' : String.fromCharCode(sname),
    name: text(PRPSINFO.fname, PR_FNAME_SIZE),
    // The kernel turns the NUL after the last argument into a space too.
    args: text(PRPSINFO.psargs, PR_PSARGS_SIZE).replace(/ +$/, ''),
  };
}

/** NT_FILE: u64 count, u64 page_size, count × {start, end, pgoff}, then count NUL-terminated paths. */
function readFileNote(desc: Uint8Array, label: string, decode: (bytes: Uint8Array) => string): Pick<CoreLayout, 'files' | 'filePageSize'> {
  const corrupt = (why: string) => new CoreFormatError(`${label} is corrupt: ${why}`);
  if (desc.length < 16) throw corrupt(`${desc.length} bytes is too short for its 16-byte header`);
  const view = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const count = view.getBigUint64(0, true);
  const pageSize = view.getBigUint64(8, true);
  // Each entry takes 24 bytes and a path of at least its NUL: the note's size bounds the count, and so does MAX_FILE_MAPPINGS.
  if (count > BigInt(MAX_FILE_MAPPINGS)) throw corrupt(`it lists ${count} files, more than pvm accepts (${MAX_FILE_MAPPINGS})`);
  const tableEnd = 16n + count * 24n;
  if (tableEnd + count > BigInt(desc.length)) throw corrupt(`it lists ${count} files, which need at least ${tableEnd + count} bytes, but it has ${desc.length}`);
  // The kernel writes the page size (4096), gdb's gcore 1.
  if (count > 0n && (pageSize === 0n || pageSize > 1n << 16n || (pageSize & (pageSize - 1n)) !== 0n)) throw corrupt(`its page size is ${pageSize}, not a power of two up to 65536`);
  const files: CoreFileMapping[] = [];
  let at = Number(tableEnd);
  for (let i = 0; i < Number(count); i++) {
    const start = view.getBigUint64(16 + i * 24, true);
    const end = view.getBigUint64(24 + i * 24, true);
    const pgoff = view.getBigUint64(32 + i * 24, true);
    const where = `file ${i} (${hex(start)}-${hex(end)})`;
    if (end <= start) throw corrupt(`${where} ends before it starts, or where it starts`);
    if (start % MAPPING_ALIGN !== 0n || end % MAPPING_ALIGN !== 0n) throw corrupt(`${where} is not whole pages`);
    if (end > USER_SPACE_END) throw corrupt(`${where} ends past the user address space (${hex(USER_SPACE_END)})`);
    const offset = pgoff * pageSize;
    if (offset + (end - start) > MAX_FILE_OFFSET) throw corrupt(`${where} maps file offset ${hex(offset)}, past the end of any file`);
    const nul = desc.indexOf(0, at);
    if (nul < 0) throw corrupt(`it lists ${count} files but has only ${i} NUL-terminated paths`);
    // Paths are bytes to the kernel; one that is not UTF-8 gets U+FFFD here.
    files.push({ start, end, offset, path: decode(desc.subarray(at, nul)) });
    at = nul + 1;
  }
  // A process's mappings never overlap; regions that did would make an address's bytes ambiguous.
  const order = [...files].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let k = 1; k < order.length; k++) {
    const [a, b] = [order[k - 1]!, order[k]!];
    if (a.end > b.start) throw corrupt(`the files at ${hex(a.start)}-${hex(a.end)} and ${hex(b.start)}-${hex(b.end)} overlap`);
  }
  return { files, filePageSize: pageSize };
}
