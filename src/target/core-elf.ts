// What a core's own bytes prove of the ELF files mapped in it. The kernel
// dumps the first page of every ELF mapping (coredump_filter's ELF headers
// bit, on by default), gcore and pvm's snapshots hold it too: its ELF header
// and program headers, and the notes that hold the GNU build-id, read where
// the process had them (note vaddr + load bias). The build-id found there is
// the one recorded for the file: pvm reads bytes from a file a core names
// only when the file's own build-id equals it (core-files.ts), and a
// policy's `targets` judge a core by its executable's (target-facts.ts).
// Names in a core (NT_FILE paths, AT_EXECFN, the process name) prove nothing:
// a core is a file anyone can write.
import { readElfHeaders } from '../native/elf-headers.ts';
import { buildIdInNotes, PT_LOAD, PT_NOTE, type Segment } from '../native/elf.ts';
import { permsAtOffset } from '../native/elf-headers.ts';

/** The core's own bytes at an address (never a file's), or undefined when it does not hold all of them. */
export type HeldBytes = (address: bigint, length: number) => Uint8Array | undefined;

/** A mapped ELF file as the core's copy of its first page shows it. */
export interface ProvenElf {
  readonly segments: readonly Segment[];
  /** Lowercase hex, or undefined when the core holds no build-id note of it. */
  readonly buildId: string | undefined;
}

/** Notes larger than this are not a linker's (a build-id note is 36 bytes). */
const MAX_NOTE_SEGMENT = 1n << 16n;
const AT_PHDR = 3n;

/** The ELF file whose first page (offset 0) the process mapped at `base`, from the core's bytes alone; undefined when the core does not hold its headers. */
export function provenElf(held: HeldBytes, base: bigint): ProvenElf | undefined {
  const headers = readElfHeaders((offset, length) => held(base + BigInt(offset), length) ?? new Uint8Array(0));
  if (headers === undefined) return undefined;
  const first = headers.segments.find((s) => s.type === PT_LOAD);
  if (first === undefined) return { segments: headers.segments, buildId: undefined };
  const bias = base - (first.vaddr & ~0xfffn);
  for (const note of headers.segments) {
    if (note.type !== PT_NOTE || note.filesz === 0n || note.filesz >= MAX_NOTE_SEGMENT) continue;
    const bytes = held(note.vaddr + bias, Number(note.filesz));
    const id = bytes === undefined ? undefined : buildIdInNotes(bytes);
    if (id !== undefined) return { segments: headers.segments, buildId: id };
  }
  return { segments: headers.segments, buildId: undefined };
}

/**
 * The proven ELF files of a core's mappings, by path: each file's first
 * mapping (offset 0), read once. A path named twice at offset 0 is judged by
 * its lowest mapping.
 */
export class ProvenElves {
  readonly #held: HeldBytes;
  readonly #bases = new Map<string, bigint>();
  readonly #proven = new Map<string, ProvenElf | undefined>();

  constructor(mappings: Iterable<{ readonly start: bigint; readonly offset: bigint; readonly path: string }>, held: HeldBytes) {
    this.#held = held;
    for (const { start, offset, path } of mappings) {
      const known = this.#bases.get(path);
      if (offset === 0n && (known === undefined || start < known)) this.#bases.set(path, start);
    }
  }

  /** What the core proves of the file mapped as `path`, or undefined when it holds nothing of its headers. */
  of(path: string): ProvenElf | undefined {
    if (!this.#proven.has(path)) {
      const base = this.#bases.get(path);
      this.#proven.set(path, base === undefined ? undefined : provenElf(this.#held, base));
    }
    return this.#proven.get(path);
  }

  /** The permissions the loader gave a mapping of `path` at file offset `offset`, from the core's copy of its program headers. */
  perms(path: string, offset: bigint): string | undefined {
    const elf = this.of(path);
    return elf === undefined ? undefined : permsAtOffset(elf, offset);
  }
}

/**
 * The build-id of the executable, from the core's bytes alone: the auxiliary
 * vector's AT_PHDR is where the process's program headers were; the ELF
 * header of the mapping there must put them at that very address, and its
 * notes give the build-id. Undefined when the core does not hold them.
 */
export function executableBuildId(held: HeldBytes, auxv: Uint8Array | undefined, mappings: readonly { readonly start: bigint; readonly end: bigint; readonly offset: bigint }[]): string | undefined {
  if (auxv === undefined) return undefined;
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  let phdr: bigint | undefined;
  for (let at = 0; at + 16 <= auxv.length; at += 16) if (view.getBigUint64(at, true) === AT_PHDR) phdr = view.getBigUint64(at + 8, true);
  if (phdr === undefined) return undefined;
  // The program headers lie in the executable's first mapping (offset 0): its ELF header says where, relative to it.
  const mapping = mappings.find((m) => m.offset === 0n && m.start <= phdr && phdr < m.end);
  if (mapping === undefined) return undefined;
  const header = held(mapping.start, 64);
  if (header === undefined) return undefined;
  const phoff = new DataView(header.buffer, header.byteOffset, header.byteLength).getBigUint64(32, true);
  if (mapping.start + phoff !== phdr) return undefined;
  return provenElf(held, mapping.start)?.buildId;
}
