// An ELF file's program headers and build-id, read from its first bytes and
// its notes only: enough to check that a file is the one a core was made
// with, without reading the whole file (a mapped file may be large).
import { buildIdInNotes, PT_LOAD, PT_NOTE, type Segment } from './elf.ts';

export interface ElfHeaders {
  readonly segments: readonly Segment[];
  readonly buildId: string | undefined;
  /** The PT_NOTE segment the build-id is in. */
  readonly buildIdNote?: Segment | undefined;
}

/** Reads through `read(offset, length)` (fewer bytes at the end of the file); undefined when the file is not a 64-bit little-endian ELF file. */
export function readElfHeaders(read: (offset: number, length: number) => Uint8Array): ElfHeaders | undefined {
  const header = read(0, 64);
  if (header.length < 64 || header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46 || header[4] !== 2 || header[5] !== 1) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const phoff = Number(view.getBigUint64(32, true));
  const phnum = view.getUint16(56, true);
  const table = read(phoff, phnum * 56);
  if (table.length < phnum * 56) return undefined;
  const phdrs = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * 56;
    segments.push({
      type: phdrs.getUint32(at, true),
      flags: phdrs.getUint32(at + 4, true),
      offset: phdrs.getBigUint64(at + 8, true),
      vaddr: phdrs.getBigUint64(at + 16, true),
      filesz: phdrs.getBigUint64(at + 32, true),
      memsz: phdrs.getBigUint64(at + 40, true),
    });
  }
  for (const note of segments.filter((s) => s.type === PT_NOTE && s.filesz < 1n << 20n)) {
    const buildId = buildIdInNotes(read(Number(note.offset), Number(note.filesz)));
    if (buildId !== undefined) return { segments, buildId, buildIdNote: note };
  }
  return { segments, buildId: undefined };
}

/** `r-xp`: the permissions the loader gives the PT_LOAD that holds file offset `offset`, or undefined. */
export function permsAtOffset(headers: ElfHeaders, offset: bigint): string | undefined {
  const load = headers.segments.find((s) => s.type === PT_LOAD && (s.offset & ~0xfffn) <= offset && offset < s.offset + s.filesz);
  if (load === undefined) return undefined;
  return `${load.flags & 4 ? 'r' : '-'}${load.flags & 2 ? 'w' : '-'}${load.flags & 1 ? 'x' : '-'}p`;
}
