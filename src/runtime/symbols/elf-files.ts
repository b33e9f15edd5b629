// ELF files parsed once for many processes. A run over many processes of one
// program (pvm run --match) resolves the same symbols in the same files again
// and again; with one ElfFiles shared between their ModuleResolvers, each file
// (named by device, inode, size and times, not by path) is parsed once, its
// symbol tables read once, its separate debug file looked for once, and its
// DWARF types opened once.
import { type ElfFile, type FileReader, parseElf } from '../../native/elf.ts';
import { findDebugFile } from '../../target/debug-files.ts';
import type { DwarfDebugTypes, openDebugTypes } from '../../types/dwarf/debug-types.ts';

export type DebugLookup = { readonly elf: ElfFile; readonly path: string } | { readonly tried: readonly string[] };

export class ElfFiles {
  readonly #files = new Map<string, ElfFile>();
  readonly #debug = new Map<ElfFile, DebugLookup>();
  readonly #types = new Map<ElfFile, DwarfDebugTypes>();
  readonly #closers: (() => void)[] = [];

  /** How many files' parses it holds (each with an open descriptor). */
  get size(): number {
    return this.#files.size;
  }

  /** The parse of a module's file: shared if the file can be named and reopened, else parsed for this caller alone. */
  parse(file: FileReader): ElfFile {
    const shareable = file.shareable;
    if (shareable === undefined) return parseElf(file);
    let elf = this.#files.get(shareable.key);
    if (elf === undefined) {
      // A descriptor of its own, to outlive this process; failing that (out of descriptors), a parse for this one alone.
      let own: ReturnType<typeof shareable.open>;
      try {
        own = shareable.open();
      } catch {
        return parseElf(file);
      }
      try {
        elf = parseElf(own.reader);
      } catch (error) {
        own.close();
        throw error;
      }
      this.#closers.push(own.close);
      this.#files.set(shareable.key, elf);
    }
    return elf;
  }

  /** The separate debug file of a module's file (debug-files.ts), looked for once per file. */
  debugOf(path: string, elf: ElfFile, directories: readonly string[]): DebugLookup {
    let found = this.#debug.get(elf);
    if (found === undefined) {
      const lookup = findDebugFile(path, elf, directories);
      if ('file' in lookup) this.#closers.push(lookup.file.close);
      found = 'file' in lookup ? { elf: lookup.file.elf, path: lookup.file.path } : { tried: lookup.tried };
      this.#debug.set(elf, found);
    }
    return found;
  }

  /** The types of the DWARF in `elf` (at `path`: a module's own file, or its debug file), opened once per file. */
  typesOf(path: string, elf: ElfFile, cacheDirectory: string | undefined, open: typeof openDebugTypes): DwarfDebugTypes {
    let types = this.#types.get(elf);
    if (types === undefined) {
      types = open(path, elf, { cacheDirectory });
      this.#types.set(elf, types);
    }
    return types;
  }

  close(): void {
    for (const close of this.#closers.splice(0)) close();
    this.#files.clear();
    this.#debug.clear();
    this.#types.clear();
  }
}
