// The DWARF sections of an ELF file, as bytes ready to read: a
// SHF_COMPRESSED section (Debian's debug packages compress theirs with
// zlib) is inflated here, once, and never to more than its header claims,
// nor to a claim no real section makes.
import { createRequire } from 'node:module';
import type { ElfFile } from '../../native/elf.ts';
import { DwarfFormatError } from './dwarf-error.ts';

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const CHDR_BYTES = 24;
/** No debug section a compiler writes inflates beyond this (libc's .debug_info: 6 MB; LLVM's: under 1 GB). */
const MAX_SECTION_BYTES = 1 << 30;
/** zlib cannot inflate more than ~1032 bytes from one: a claim beyond that is a lie, refused before it is allocated. */
const MAX_RATIO = 1100;
/** node:zlib, loaded when a section is first inflated: a run that reads no types does not pay for it. */
let inflateSync: typeof import('node:zlib').inflateSync | undefined;

export type DebugSectionName = '.debug_info' | '.debug_abbrev' | '.debug_str' | '.debug_line_str' | '.debug_str_offsets';

export class DebugSections {
  readonly #elf: Pick<ElfFile, 'section'>;
  readonly #loaded = new Map<DebugSectionName, Uint8Array | undefined>();

  constructor(elf: Pick<ElfFile, 'section'>) {
    this.#elf = elf;
  }

  /** The section's bytes, inflated; undefined when the file has no such section. */
  get(name: DebugSectionName): Uint8Array | undefined {
    if (!this.#loaded.has(name)) this.#loaded.set(name, this.#load(name));
    return this.#loaded.get(name);
  }

  /** The section's bytes, or a DwarfFormatError saying the file lacks it. */
  require(name: DebugSectionName): Uint8Array {
    const bytes = this.get(name);
    if (bytes === undefined) throw new DwarfFormatError(`the debug info refers to ${name}, which the file does not have`);
    return bytes;
  }

  #load(name: DebugSectionName): Uint8Array | undefined {
    const section = this.#elf.section(name);
    if (section === undefined) return undefined;
    const bytes = section.read();
    return (section.flags & SHF_COMPRESSED) === 0 ? bytes : inflateSection(name, bytes);
  }
}

/** A SHF_COMPRESSED section's contents (an Elf64_Chdr, then the compressed bytes). */
export function inflateSection(name: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length < CHDR_BYTES) throw new DwarfFormatError(`${name} is compressed but too short for its compression header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint32(0, true);
  const size = view.getBigUint64(8, true);
  if (type === ELFCOMPRESS_ZSTD) throw new DwarfFormatError(`${name} is compressed with zstd, which pvm does not inflate (decompress it with \`objcopy --decompress-debug-sections\`)`);
  if (type !== ELFCOMPRESS_ZLIB) throw new DwarfFormatError(`${name} is compressed with an unknown method (${type})`);
  const compressed = bytes.length - CHDR_BYTES;
  if (size > BigInt(MAX_SECTION_BYTES) || size > BigInt(compressed) * BigInt(MAX_RATIO) + 64n) throw new DwarfFormatError(`${name} claims to inflate to ${size} bytes from ${compressed}: no real section does`);
  let inflated: Uint8Array;
  try {
    // One chunk of the claimed size: no copying of chunks together afterwards (a sixth of the time for 11 MB).
    inflateSync ??= (createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')).inflateSync;
    inflated = inflateSync(bytes.subarray(CHDR_BYTES), { maxOutputLength: Math.max(1, Number(size)), chunkSize: Math.max(64, Number(size)) });
  } catch (error) {
    throw new DwarfFormatError(`${name} does not inflate: ${(error as Error).message}`);
  }
  if (inflated.length !== Number(size)) throw new DwarfFormatError(`${name} inflates to ${inflated.length} bytes, not the ${size} its header says`);
  return inflated;
}
