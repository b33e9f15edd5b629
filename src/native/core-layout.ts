// Lays out an x86-64 ELF core for writing, as the kernel's elf_core_dump
// does (fs/binfmt_elf.c): ELF header, one PT_NOTE then one PT_LOAD per
// segment, the notes, then each segment's bytes at a page-aligned offset.
// Pure: the caller writes `head` at 0 and each segment's bytes at its offset.
import type { CoreFileMapping, CoreProcessInfo, CoreThread } from './core-format.ts';
import { NT_AUXV, NT_FILE, NT_PRPSINFO, NT_PRSTATUS, NT_PVM_SNAPSHOT, PN_XNUM, PR_FNAME_SIZE, PR_PSARGS_SIZE, PRPSINFO, PRPSINFO_SIZE, PRSTATUS, PRSTATUS_SIZE, X86_64_REGISTERS } from './core-structs.ts';

export interface CoreLayoutInput {
  readonly segments: readonly { readonly vaddr: bigint; readonly memsz: bigint; readonly filesz: bigint; readonly flags: number }[];
  readonly threads: readonly CoreThread[];
  readonly process: CoreProcessInfo;
  readonly auxv: Uint8Array | undefined;
  readonly files: readonly CoreFileMapping[];
  /** NT_FILE page_size to write (4096), and the alignment of segment data */
  readonly pageSize: number;
  readonly pvm: Uint8Array | undefined;
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const PT_LOAD = 1;
const PT_NOTE = 4;
const U64_LIMIT = 1n << 64n;
/** pr_sname letters by pr_state, as the kernel's fill_psinfo indexes them. */
const STATES = 'RSDTZW';

const align4 = (n: number) => n + (-n & 3);
const alignUp = (n: bigint, to: bigint) => ((n + to - 1n) / to) * to;

/**
 * Lays out a core: `head` = ELF header + program headers + notes, padded to the first data offset;
 * `dataOffsets[i]` = where segment i's `filesz` bytes go (page-aligned); `size` = the file's total size.
 * Notes go in the kernel's order: the first thread's NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE, the other
 * threads' NT_PRSTATUS, then pvm's note. Throws RangeError for input no core can hold (a caller's bug).
 */
export function layoutCore(input: CoreLayoutInput): { readonly head: Uint8Array; readonly dataOffsets: readonly bigint[]; readonly size: bigint } {
  const pageSize = BigInt(input.pageSize);
  if (!Number.isSafeInteger(input.pageSize) || pageSize <= 0n || (pageSize & (pageSize - 1n)) !== 0n) {
    throw new RangeError(`layoutCore: page size ${input.pageSize} is not a power of two`);
  }
  const [first, ...others] = input.threads;
  const notes = [
    ...(first === undefined ? [] : [note('CORE', NT_PRSTATUS, prstatus(first))]),
    note('CORE', NT_PRPSINFO, prpsinfo(input.process)),
    ...(input.auxv === undefined ? [] : [note('CORE', NT_AUXV, input.auxv)]),
    note('CORE', NT_FILE, fileNote(input.files, pageSize)),
    ...others.map((thread) => note('CORE', NT_PRSTATUS, prstatus(thread))),
    ...(input.pvm === undefined ? [] : [note('PVM', NT_PVM_SNAPSHOT, input.pvm)]),
  ];
  const phnum = 1 + input.segments.length;
  const notesAt = EHDR_SIZE + phnum * PHDR_SIZE;
  const notesSize = notes.reduce((sum, n) => sum + n.length, 0);
  // 65535 or more program headers need extended numbering: one section header whose sh_info holds the count.
  const extended = phnum >= PN_XNUM;
  const shdrAt = notesAt + notesSize;
  const dataStart = alignUp(BigInt(shdrAt + (extended ? SHDR_SIZE : 0)), pageSize);

  const head = new Uint8Array(Number(dataStart));
  const view = new DataView(head.buffer);
  head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE
  view.setUint16(16, 4, true); // ET_CORE
  view.setUint16(18, 62, true); // EM_X86_64
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
  const phdr = (i: number, type: number, flags: number, offset: bigint, vaddr: bigint, filesz: bigint, memsz: bigint, align: bigint) => {
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
  for (const n of notes) head.set(n, (at += n.length) - n.length);

  const dataOffsets: bigint[] = [];
  let offset = dataStart;
  let size = dataStart;
  input.segments.forEach((segment, i) => {
    const { vaddr, memsz, filesz, flags } = segment;
    if (filesz < 0n || filesz > memsz || vaddr < 0n || vaddr + memsz > U64_LIMIT) {
      throw new RangeError(`layoutCore: segment ${i} (vaddr 0x${vaddr.toString(16)}, memsz ${memsz}, filesz ${filesz}) cannot be in a core`);
    }
    phdr(1 + i, PT_LOAD, flags, offset, vaddr, filesz, memsz, pageSize);
    dataOffsets.push(offset);
    if (offset + filesz > size) size = offset + filesz;
    offset = alignUp(offset + filesz, pageSize);
  });
  return { head, dataOffsets, size };
}

/** One note: namesz, descsz, type, then name and descriptor, each padded to 4 bytes. */
function note(name: string, type: number, desc: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(`${name}\0`);
  const bytes = new Uint8Array(12 + align4(nameBytes.length) + align4(desc.length));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, nameBytes.length, true);
  view.setUint32(4, desc.length, true);
  view.setUint32(8, type, true);
  bytes.set(nameBytes, 12);
  bytes.set(desc, 12 + align4(nameBytes.length));
  return bytes;
}

function u64(value: bigint, what: string): bigint {
  if (value < 0n || value >= U64_LIMIT) throw new RangeError(`layoutCore: ${what} (${value}) is not a u64`);
  return value;
}

function prstatus(thread: CoreThread): Uint8Array {
  if (thread.registers.length !== X86_64_REGISTERS.length) {
    throw new RangeError(`layoutCore: thread ${thread.tid} has ${thread.registers.length} registers, not ${X86_64_REGISTERS.length}`);
  }
  const bytes = new Uint8Array(PRSTATUS_SIZE);
  const view = new DataView(bytes.buffer);
  // The kernel puts the signal in both pr_info.si_signo and pr_cursig; pr_fpvalid stays 0, as pvm writes no NT_PRFPREG.
  view.setInt32(PRSTATUS.signo, thread.signal, true);
  view.setUint16(PRSTATUS.cursig, thread.signal, true);
  view.setInt32(PRSTATUS.pid, thread.tid, true);
  view.setInt32(PRSTATUS.ppid, thread.ppid, true);
  view.setInt32(PRSTATUS.pgrp, thread.pgrp, true);
  view.setInt32(PRSTATUS.sid, thread.sid, true);
  thread.registers.forEach((value, i) => view.setBigUint64(PRSTATUS.reg + i * 8, u64(value, X86_64_REGISTERS[i]!), true));
  return bytes;
}

function prpsinfo(process: CoreProcessInfo): Uint8Array {
  const bytes = new Uint8Array(PRPSINFO_SIZE);
  const view = new DataView(bytes.buffer);
  const letter = process.state.charCodeAt(0);
  bytes[PRPSINFO.state] = Math.max(0, STATES.indexOf(process.state.charAt(0)));
  bytes[PRPSINFO.sname] = letter > 0 && letter < 0x80 ? letter : 0;
  bytes[PRPSINFO.zomb] = process.state === 'Z' ? 1 : 0;
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

/** `text` as UTF-8, cut to at most `max` bytes without splitting a character (the kernel cuts, too). */
function truncatedUtf8(text: string, max: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function fileNote(files: readonly CoreFileMapping[], pageSize: bigint): Uint8Array {
  const encoder = new TextEncoder();
  const paths = files.map((file) => encoder.encode(`${file.path}\0`));
  const bytes = new Uint8Array(16 + files.length * 24 + paths.reduce((sum, p) => sum + p.length, 0));
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(files.length), true);
  view.setBigUint64(8, pageSize, true);
  let at = 16 + files.length * 24;
  files.forEach((file, i) => {
    if (file.offset % pageSize !== 0n) throw new RangeError(`layoutCore: ${file.path} is mapped at file offset ${file.offset}, not a multiple of the page size`);
    view.setBigUint64(16 + i * 24, u64(file.start, 'a mapping start'), true);
    view.setBigUint64(24 + i * 24, u64(file.end, 'a mapping end'), true);
    view.setBigUint64(32 + i * 24, file.offset / pageSize, true);
    bytes.set(paths[i]!, at);
    at += paths[i]!.length;
  });
  return bytes;
}
