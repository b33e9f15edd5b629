// A reader for what pvm needs from ELF files (docs/kernel.md §6): the type, the
// PT_LOAD and PT_NOTE segments, the GNU build-id, symbols from .symtab and
// .dynsym, the soname, the .gnu_debuglink, copy relocations, and the bytes of
// a named section (the DWARF reader's .debug_info and its kin).
//
// It reads through positioned reads, never the whole file: the headers at
// once, a symbol table when a symbol is first looked up. A 2 GB library costs
// its headers and its symbol tables, not 2 GB. 64-bit little-endian only
// (x86-64, arm64).
import { toHex } from '../bytes.ts';
import { readElfHeaders } from './elf-headers.ts';

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_NOTE = 4;
const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_DYNAMIC = 6;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHN_UNDEF = 0;
const NT_GNU_BUILD_ID = 3;
const VERSYM_HIDDEN = 0x8000;
const DT_SONAME = 14;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
/** R_X86_64_COPY and R_AARCH64_COPY: the executable holds the object, and every module uses its copy. */
const COPY_RELOCATION = new Map([[EM_X86_64, 5], [EM_AARCH64, 1024]]);
/** A symbol table or string table larger than this is not one a linker made. */
const MAX_TABLE_BYTES = 1 << 30;

export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;
export const STB_LOCAL = 0;

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
  /** STB_LOCAL, STB_GLOBAL, STB_WEAK, … */
  readonly binding: number;
  readonly table: '.symtab' | '.dynsym';
}

/** Random access to a file's bytes: `read` returns fewer bytes than asked at the end of the file. */
export interface FileReader {
  read(offset: number, length: number): Uint8Array;
  /**
   * For a file on disk: what names it (device, inode, size, mtime), and a
   * reader of its own, which outlives this one, so that many processes that map
   * the file can share one parse of it (src/runtime/symbols/elf-files.ts).
   */
  readonly shareable?: { readonly key: string; open(): { readonly reader: FileReader; close(): void } };
}

export interface ElfFile {
  /** ET_EXEC (fixed addresses) or ET_DYN (PIE or shared object: relocated by a bias). */
  readonly type: number;
  readonly segments: readonly Segment[];
  /** Lowercase hex, or undefined when the file has no NT_GNU_BUILD_ID note. */
  readonly buildId: string | undefined;
  /** The PT_NOTE segment the build-id is in. */
  readonly buildIdNote?: Segment | undefined;
  readonly hasSymtab: boolean;
  /** DT_SONAME (`libsqlite3.so.0`), or undefined. */
  readonly soname: string | undefined;
  /** The separate debug file's name and CRC32 (.gnu_debuglink), or undefined. */
  readonly debugLink: { readonly name: string; readonly crc: number } | undefined;
  /** The defined symbol named `name`: .symtab first (a global before a local), then .dynsym's default version. */
  findSymbol(name: string): ElfSymbol | undefined;
  /** The defined, exported symbol named `name` (.dynsym, global or weak, default version): what the dynamic linker finds. */
  findExported(name: string): ElfSymbol | undefined;
  /** The names of its defined symbols (.symtab and .dynsym), for did-you-mean. */
  symbolNames(): string[];
  /** The defined symbol (a function or an object, of a size) whose bytes hold the file address `value`: .symtab first, then .dynsym. */
  symbolContaining(value: bigint): ElfSymbol | undefined;
  /** The names of its copy relocations: the objects of libraries an executable holds copies of, which every module then uses. */
  copyRelocations(): readonly string[];
  /**
   * The section named `name`, or undefined when the file has no such section
   * or it holds no bytes (SHT_NOBITS, as a separate debug file's code
   * sections are).
   */
  section(name: string): ElfSection | undefined;
}

export interface ElfSection {
  /** sh_flags: SHF_COMPRESSED (0x800) among them. */
  readonly flags: number;
  /** Its bytes in the file. */
  readonly size: number;
  /** Its bytes as the file holds them (still compressed when `flags` has SHF_COMPRESSED), read now. */
  read(): Uint8Array;
}

/** Thrown for a file that is not an ELF file pvm can read. */
export class ElfFormatError extends Error {}

/** A reader over bytes already in memory. */
export function bytesReader(bytes: Uint8Array): FileReader {
  return { read: (offset, length) => bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length)) };
}

interface Section {
  readonly name: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly size: bigint;
  readonly link: number;
  readonly entsize: bigint;
}

export function parseElf(file: FileReader): ElfFile {
  const header = file.read(0, 64);
  if (header.length < 64 || new DataView(header.buffer, header.byteOffset, 4).getUint32(0, false) !== 0x7f454c46) throw new ElfFormatError('not an ELF file');
  if (header[4] !== 2 || header[5] !== 1) throw new ElfFormatError('not a 64-bit little-endian ELF file');
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const headers = readElfHeaders((offset, length) => file.read(offset, length));
  if (headers === undefined) throw new ElfFormatError('a program header lies past the end of the file (truncated?)');

  /** Exactly `size` bytes at `offset`, or an error naming what is missing. */
  const bytesOf = (offset: bigint, size: bigint, what: string): Uint8Array => {
    if (size > BigInt(MAX_TABLE_BYTES)) throw new ElfFormatError(`${what} claims ${size} bytes, more than any linker writes`);
    const bytes = file.read(Number(offset), Number(size));
    if (bytes.length < Number(size)) throw new ElfFormatError(`${what} lies past the end of the file (truncated?)`);
    return bytes;
  };
  const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const shoff = view.getBigUint64(40, true);
  const shnum = shoff === 0n ? 0 : view.getUint16(60, true);
  const table = viewOf(bytesOf(shoff, BigInt(shnum * 64), 'the section header table'));
  const sections: Section[] = Array.from({ length: shnum }, (_, i) => {
    const at = i * 64;
    return {
      name: table.getUint32(at, true),
      type: table.getUint32(at + 4, true),
      flags: Number(table.getBigUint64(at + 8, true) & 0xffffffffn),
      offset: table.getBigUint64(at + 24, true),
      size: table.getBigUint64(at + 32, true),
      link: table.getUint32(at + 40, true),
      entsize: table.getBigUint64(at + 56, true),
    };
  });
  const contents = (section: Section, what: string) => bytesOf(section.offset, section.size, what);
  const decoder = new TextDecoder();
  const stringAt = (strings: Uint8Array, at: number): string => {
    const end = strings.indexOf(0, at);
    return decoder.decode(strings.subarray(at, end < 0 ? strings.length : end));
  };
  const sectionNames = sections[view.getUint16(62, true)];
  const namedSection = (name: string): Section | undefined => {
    if (sectionNames === undefined) return undefined;
    const names = contents(sectionNames, 'the section name table');
    return sections.find((s) => stringAt(names, s.name) === name);
  };

  const symtab = sections.find((s) => s.type === SHT_SYMTAB && s.entsize === 24n);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM && s.entsize === 24n);
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM);

  /** A symbol table decoded once, on first use: names to the defined symbol a lookup prefers. */
  const decodeTable = (section: Section | undefined, name: '.symtab' | '.dynsym'): Map<string, ElfSymbol> => {
    const byName = new Map<string, ElfSymbol>();
    if (section === undefined || sections[section.link] === undefined) return byName;
    const entries = viewOf(contents(section, name));
    const strings = contents(sections[section.link]!, `the string table of ${name}`);
    const versions = name === '.dynsym' && versym !== undefined ? viewOf(contents(versym, '.gnu.version')) : undefined;
    const hidden = new Set<string>();
    for (let i = 1; i < entries.byteLength / 24; i++) {
      const at = i * 24;
      if (entries.getUint16(at + 6, true) === SHN_UNDEF) continue;
      const info = entries.getUint8(at + 4);
      const symbol: ElfSymbol = { name: stringAt(strings, entries.getUint32(at, true)), value: entries.getBigUint64(at + 8, true), size: entries.getBigUint64(at + 16, true), type: info & 0xf, binding: info >> 4, table: name };
      const known = byName.get(symbol.name);
      // A hidden version (memcpy@GLIBC_2.2.5) is an old ABI kept for old binaries: the default (@@) wins.
      const isHidden = versions !== undefined && i * 2 + 2 <= versions.byteLength && (versions.getUint16(i * 2, true) & VERSYM_HIDDEN) !== 0;
      if (known === undefined || (hidden.has(symbol.name) && !isHidden) || (known.binding === STB_LOCAL && symbol.binding !== STB_LOCAL)) {
        byName.set(symbol.name, symbol);
        if (isHidden) hidden.add(symbol.name);
        else hidden.delete(symbol.name);
      }
    }
    return byName;
  };
  let symtabSymbols: Map<string, ElfSymbol> | undefined;
  let dynsymSymbols: Map<string, ElfSymbol> | undefined;
  const fromSymtab = (name: string) => (symtabSymbols ??= decodeTable(symtab, '.symtab')).get(name);
  const fromDynsym = (name: string) => (dynsymSymbols ??= decodeTable(dynsym, '.dynsym')).get(name);

  /** Sized functions and objects by address, for `symbolContaining`: decoded on first use. */
  let bySymtabAddress: ElfSymbol[] | undefined;

  let copied: string[] | undefined;
  const copyRelocations = (): readonly string[] => {
    if (copied === undefined) {
      copied = [];
      const copyType = COPY_RELOCATION.get(view.getUint16(18, true));
      const dynsymIndex = dynsym === undefined ? -1 : sections.indexOf(dynsym);
      if (copyType !== undefined && dynsym !== undefined) {
        const symbols = viewOf(contents(dynsym, '.dynsym'));
        const strings = contents(sections[dynsym.link]!, 'the string table of .dynsym');
        for (const rela of sections.filter((s) => s.type === SHT_RELA && s.link === dynsymIndex && s.entsize === 24n)) {
          const entries = viewOf(contents(rela, 'a relocation table'));
          for (let at = 0; at + 24 <= entries.byteLength; at += 24) {
            const info = entries.getBigUint64(at + 8, true);
            if (Number(info & 0xffffffffn) !== copyType) continue;
            const index = Number(info >> 32n);
            if ((index + 1) * 24 <= symbols.byteLength) copied.push(stringAt(strings, symbols.getUint32(index * 24, true)));
          }
        }
      }
    }
    return copied;
  };

  const soname = (): string | undefined => {
    const dynamic = sections.find((s) => s.type === SHT_DYNAMIC && s.entsize === 16n);
    if (dynamic === undefined || sections[dynamic.link] === undefined) return undefined;
    const entries = viewOf(contents(dynamic, '.dynamic'));
    for (let at = 0; at + 16 <= entries.byteLength; at += 16) {
      const tag = entries.getBigInt64(at, true);
      if (tag === 0n) break;
      if (tag === BigInt(DT_SONAME)) return stringAt(contents(sections[dynamic.link]!, '.dynstr'), Number(entries.getBigUint64(at + 8, true)));
    }
    return undefined;
  };

  const debugLink = (): ElfFile['debugLink'] => {
    const section = namedSection('.gnu_debuglink');
    if (section === undefined) return undefined;
    const bytes = contents(section, '.gnu_debuglink');
    const end = bytes.indexOf(0);
    if (end <= 0) return undefined;
    const crcAt = (end + 4) & ~3;
    if (crcAt + 4 > bytes.length) return undefined;
    return { name: decoder.decode(bytes.subarray(0, end)), crc: viewOf(bytes).getUint32(crcAt, true) };
  };

  const section = (name: string): ElfSection | undefined => {
    const found = namedSection(name);
    if (found === undefined || found.type === SHT_NOBITS || found.size === 0n) return undefined;
    return {
      flags: found.flags,
      size: Number(found.size),
      read: () => {
        // The last byte first: a header claiming more than the file holds must not allocate what it claims.
        if (found.size <= BigInt(MAX_TABLE_BYTES) && file.read(Number(found.offset + found.size - 1n), 1).length < 1) throw new ElfFormatError(`section ${name} lies past the end of the file (truncated?)`);
        return contents(found, `section ${name}`);
      },
    };
  };

  return {
    type: view.getUint16(16, true),
    segments: headers.segments,
    buildId: headers.buildId,
    buildIdNote: headers.buildIdNote,
    hasSymtab: symtab !== undefined,
    soname: soname(),
    debugLink: debugLink(),
    findSymbol: (name) => fromSymtab(name) ?? fromDynsym(name),
    findExported: (name) => {
      const symbol = fromDynsym(name);
      return symbol !== undefined && symbol.binding !== STB_LOCAL ? symbol : undefined;
    },
    copyRelocations,
    section,
    symbolNames: () => {
      symtabSymbols ??= decodeTable(symtab, '.symtab');
      dynsymSymbols ??= decodeTable(dynsym, '.dynsym');
      return [...new Set([...symtabSymbols.keys(), ...dynsymSymbols.keys()])];
    },
    symbolContaining: (value) => {
      bySymtabAddress ??= byAddress((symtabSymbols ??= decodeTable(symtab, '.symtab')).values());
      bySymtabAddress = bySymtabAddress.length > 0 ? bySymtabAddress : byAddress((dynsymSymbols ??= decodeTable(dynsym, '.dynsym')).values());
      return containing(bySymtabAddress, value);
    },
  };
}

/** Functions and objects of a size, sorted by address (a symbol named twice, e.g. an alias, once: its first name). */
function byAddress(symbols: Iterable<ElfSymbol>): ElfSymbol[] {
  const kept = [...symbols].filter((s) => s.size > 0n && (s.type === STT_FUNC || s.type === STT_OBJECT));
  return kept.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name < b.name ? -1 : 1));
}

/** The symbol in `sorted` whose [value, value + size) holds `value`: the nearest start at or below it (symbols do not nest in practice). */
function containing(sorted: readonly ElfSymbol[], value: bigint): ElfSymbol | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]!.value <= value) low = middle + 1;
    else high = middle;
  }
  for (let i = low - 1; i >= 0 && i >= low - 8; i--) {
    const symbol = sorted[i]!;
    if (value < symbol.value + symbol.size) return symbol;
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
      return toHex(notes.subarray(desc, desc + descsz));
    }
    at = desc + align(descsz);
  }
  return undefined;
}

/**
 * The load bias: runtime address = st_value + bias (docs/kernel.md §6). `mappedAt` is
 * the start of the file's mapping with file offset 0.
 */
export function loadBias(elf: Pick<ElfFile, 'segments'>, mappedAt: bigint, pageSize = 4096n): bigint {
  const first = elf.segments.find((s) => s.type === PT_LOAD);
  if (first === undefined) throw new ElfFormatError('the file has no PT_LOAD segment');
  return mappedAt - (first.vaddr & ~(pageSize - 1n));
}
