// A reader for what pvm needs from ELF files (KERNEL.md §6): the type, the
// PT_LOAD and PT_NOTE segments, the GNU build-id, and symbols from .symtab and
// .dynsym. Pure: bytes in, data out. 64-bit little-endian only (x86-64, arm64).

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHN_UNDEF = 0;
const NT_GNU_BUILD_ID = 3;
const VERSYM_HIDDEN = 0x8000;

export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

export interface Segment {
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** STT_FUNC, STT_OBJECT, STT_TLS, STT_GNU_IFUNC, … */
  readonly type: number;
  readonly table: '.symtab' | '.dynsym';
}

export interface ElfFile {
  /** ET_EXEC (fixed addresses) or ET_DYN (PIE or shared object: relocated by a bias). */
  readonly type: number;
  readonly segments: readonly Segment[];
  /** Lowercase hex, or undefined when the file has no NT_GNU_BUILD_ID note. */
  readonly buildId: string | undefined;
  readonly hasSymtab: boolean;
  /** The defined symbol named `name`: .symtab first, then .dynsym's default version. */
  findSymbol(name: string): ElfSymbol | undefined;
}

/** Thrown for a file that is not an ELF file pvm can read. */
export class ElfFormatError extends Error {}

export function parseElf(bytes: Uint8Array): ElfFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || view.getUint32(0, false) !== 0x7f454c46) throw new ElfFormatError('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new ElfFormatError('not a 64-bit little-endian ELF file');
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => view.getBigUint64(at, true);
  const within = (offset: bigint, size: bigint, what: string): number => {
    if (offset + size > BigInt(bytes.length)) throw new ElfFormatError(`${what} lies past the end of the file (truncated?)`);
    return Number(offset);
  };

  const phoff = u64(32);
  const phnum = u16(56);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = within(phoff + BigInt(i * 56), 56n, 'a program header');
    segments.push({ type: u32(at), flags: u32(at + 4), offset: u64(at + 8), vaddr: u64(at + 16), filesz: u64(at + 32), memsz: u64(at + 40) });
  }

  const shoff = u64(40);
  const shnum = shoff === 0n ? 0 : u16(60);
  const sections = Array.from({ length: shnum }, (_, i) => {
    const at = within(shoff + BigInt(i * 64), 64n, 'a section header');
    return { type: u32(at + 4), offset: u64(at + 24), size: u64(at + 32), link: u32(at + 40), entsize: u64(at + 56) };
  });

  const cString = (at: number): string => {
    let end = at;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(at, end));
  };

  // Symbol tables are decoded lazily, by name on first use: libc has thousands.
  const tables = (['.symtab', '.dynsym'] as const).flatMap((table) => {
    const section = sections.find((s) => s.type === (table === '.symtab' ? SHT_SYMTAB : SHT_DYNSYM));
    if (section === undefined || section.entsize !== 24n) return [];
    const strings = sections[section.link];
    if (strings === undefined) return [];
    const versym = table === '.dynsym' ? sections.find((s) => s.type === SHT_GNU_VERSYM) : undefined;
    return [{ table, section, strings, versym }];
  });

  const findSymbol = (name: string): ElfSymbol | undefined => {
    for (const { table, section, strings, versym } of tables) {
      const base = within(section.offset, section.size, table);
      const stringsBase = within(strings.offset, strings.size, 'a string table');
      let hidden: ElfSymbol | undefined;
      for (let i = 1; i < Number(section.size / 24n); i++) {
        const at = base + i * 24;
        if (u16(at + 6) === SHN_UNDEF) continue;
        if (cString(stringsBase + u32(at)) !== name) continue;
        const symbol: ElfSymbol = { name, value: u64(at + 8), size: u64(at + 16), type: bytes[at + 4]! & 0xf, table };
        // A hidden version (memcpy@GLIBC_2.2.5) is an old ABI kept for old binaries; prefer the default (@@).
        if (versym !== undefined && (u16(Number(versym.offset) + i * 2) & VERSYM_HIDDEN) !== 0) {
          hidden ??= symbol;
          continue;
        }
        return symbol;
      }
      if (hidden !== undefined) return hidden;
    }
    return undefined;
  };

  return { type: u16(16), segments, buildId: findBuildId(bytes, segments), hasSymtab: tables.some((t) => t.table === '.symtab'), findSymbol };
}

/** The NT_GNU_BUILD_ID of a file, read from its PT_NOTE segments. */
function findBuildId(bytes: Uint8Array, segments: readonly Segment[]): string | undefined {
  for (const note of segments.filter((s) => s.type === PT_NOTE)) {
    const start = Number(note.offset);
    const id = buildIdInNotes(bytes.subarray(start, start + Number(note.filesz)));
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Walks a block of ELF notes (as found in a file or in memory) for the GNU build-id. */
export function buildIdInNotes(notes: Uint8Array): string | undefined {
  const view = new DataView(notes.buffer, notes.byteOffset, notes.byteLength);
  const align = (n: number) => (n + 3) & ~3;
  let at = 0;
  while (at + 12 <= notes.length) {
    const namesz = view.getUint32(at, true);
    const descsz = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const name = new TextDecoder().decode(notes.subarray(at + 12, at + 12 + Math.max(0, namesz - 1)));
    const desc = at + 12 + align(namesz);
    if (desc + descsz > notes.length) return undefined;
    if (type === NT_GNU_BUILD_ID && name === 'GNU') {
      return [...notes.subarray(desc, desc + descsz)].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    at = desc + align(descsz);
  }
  return undefined;
}

/**
 * The load bias: runtime address = st_value + bias (KERNEL.md §6). `mappedAt` is
 * the start of the file's mapping with file offset 0.
 */
export function loadBias(elf: ElfFile, mappedAt: bigint, pageSize = 4096n): bigint {
  const first = elf.segments.find((s) => s.type === PT_LOAD);
  if (first === undefined) throw new ElfFormatError('the file has no PT_LOAD segment');
  return mappedAt - (first.vaddr & ~(pageSize - 1n));
}
