// module("name") and symbol("module", "name"): from the target's map and the
// module's ELF file to running addresses (KERNEL.md §6). The file on disk is
// checked against the running one by build-id, so a replaced file cannot give
// silently wrong addresses.
import { basename } from 'node:path';
import { TargetError } from '../errors.ts';
import { ElfFormatError, PT_NOTE, STT_GNU_IFUNC, STT_TLS, buildIdInNotes, loadBias, parseElf, type ElfFile } from '../native/elf.ts';
import { closest } from '../suggest.ts';
import { describeTarget, type Region, type MemorySource } from '../target/target.ts';

export interface ModuleRegion {
  readonly path: string;
  readonly start: bigint;
  readonly end: bigint;
  readonly mappings: readonly Region[];
}

/** An address as a file and an offset in it (see `filesAt`). */
export interface FileAddress {
  readonly path: string;
  readonly offset: bigint;
  readonly buildId: string | undefined;
}

export class ModuleResolver {
  readonly #target: MemorySource;
  readonly #elves = new Map<string, { elf: ElfFile; bias: bigint }>();

  constructor(target: MemorySource) {
    this.#target = target;
  }

  /** The one loaded file whose path is `name`, ends in `/name`, or has basename `name`. */
  module(name: string): ModuleRegion {
    const who = describeTarget(this.#target.identity);
    const regions = this.#target.regions();
    const files = [...new Set(regions.filter((r) => r.path.startsWith('/')).map((r) => r.path))];
    const matches = files.filter((path) => path === name || path.endsWith(`/${name}`) || basename(path) === name);
    if (matches.length === 0) {
      const names = [...new Set(files.map((f) => basename(f)))];
      // `libc` for libc.so.6: a prefix is the likeliest slip, then a typo.
      const suggestion = names.find((n) => n.startsWith(`${name}.`) || n.startsWith(`${name}-`)) ?? closest(name, names);
      throw new TargetError('no-module', `no module matches '${name}' in ${who}`, {
        hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `its modules include: ${names.slice(0, 8).join(', ')}`,
      });
    }
    if (matches.length > 1) {
      throw new TargetError('ambiguous-module', `'${name}' matches ${matches.length} files in ${who}: ${matches.join(', ')}`, {
        hint: 'give more of the path, so that exactly one file matches',
      });
    }
    const path = matches[0]!;
    return spanOf(path, regions.filter((r) => r.path === path));
  }

  /** The mappings named exactly `name`: a pseudo-name such as `[heap]` or `[anon:cache]`, or a file's whole path. */
  region(name: string): ModuleRegion {
    const regions = this.#target.regions();
    const mappings = regions.filter((r) => r.path === name);
    if (mappings.length === 0) {
      const names = [...new Set(regions.map((r) => r.path).filter((p) => p.startsWith('[')))];
      const suggestion = closest(name, names);
      throw new TargetError('no-region', `no region is named '${name}' in ${describeTarget(this.#target.identity)}`, {
        hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `its named regions are: ${names.join(', ')}; use module("name") for files`,
      });
    }
    return spanOf(name, mappings);
  }

  /** Where a symbol's bytes lie: its running address and its ELF size (for policies' `symbol:MODULE:NAME`). */
  symbolRange(moduleName: string, name: string): { start: bigint; end: bigint } {
    const start = this.symbol(moduleName, name);
    const { elf } = this.#load(this.module(moduleName));
    const size = elf.findSymbol(name)?.size ?? 0n;
    return { start, end: start + (size > 0n ? size : 1n) };
  }

  /** The running address of `name` in the module `moduleName`. */
  symbol(moduleName: string, name: string): bigint {
    const module = this.module(moduleName);
    const { elf, bias } = this.#load(module);
    const symbol = elf.findSymbol(name);
    const file = basename(module.path);
    if (symbol === undefined) {
      throw new TargetError('no-symbol', `${module.path} has no symbol '${name}'`, {
        hint: elf.hasSymtab ? 'check the spelling; `nm` lists the symbols of a file' : 'the file is stripped: only its exported (.dynsym) symbols are known; `nm -D` lists them',
      });
    }
    if (symbol.type === STT_TLS) {
      throw new TargetError('tls-symbol', `'${name}' in ${file} is thread-local: its value, 0x${symbol.value.toString(16)}, is an offset into each thread's TLS block, not an address`, {
        hint: `each thread's block lies below its thread pointer, reg(threads()[0], "fs_base") (x86-64 TLS variant II); for the main program it starts at fs_base minus its PT_TLS size rounded up to its alignment`,
      });
    }
    if (symbol.type === STT_GNU_IFUNC) {
      throw new TargetError('ifunc-symbol', `'${name}' in ${file} is an IFUNC: its address is the resolver that picks an implementation when the program loads, not the implementation`, {
        hint: 'read the address the program resolved from its GOT, or scan for the code',
      });
    }
    return symbol.value + bias;
  }

  /**
   * For each address: the file mapped there, the address's offset from the
   * file's first mapping, and the file's build-id, or undefined for memory
   * with no file (for the journal: an address that means the same after a
   * restart). One read of the map serves them all.
   */
  filesAt(addresses: readonly bigint[]): (FileAddress | undefined)[] {
    const regions = this.#target.regions();
    return addresses.map((address) => this.#fileAt(address, regions));
  }

  #fileAt(address: bigint, regions: readonly Region[]): FileAddress | undefined {
    const region = regions.find((r) => r.start <= address && address < r.end);
    if (region === undefined || !region.path.startsWith('/')) return undefined;
    const module = spanOf(region.path, regions.filter((r) => r.path === region.path));
    let buildId: string | undefined;
    try {
      buildId = this.#load(module).elf.buildId;
    } catch {
      buildId = undefined; // not an ELF file pvm reads, or deleted: the path and offset still say where
    }
    return { path: region.path, offset: address - module.start, buildId };
  }

  #load(module: ModuleRegion): { elf: ElfFile; bias: bigint } {
    const cached = this.#elves.get(module.path);
    if (cached !== undefined) return cached;
    const who = describeTarget(this.#target.identity);
    if (module.mappings.some((m) => m.deleted)) {
      throw new TargetError('module-deleted', `the file of ${module.path} was deleted after ${who} loaded it`, { hint: 'restart the process to load the current file, or resolve the address by scanning' });
    }
    const base = module.mappings.find((m) => m.offset === 0n);
    if (base === undefined) throw new TargetError('bad-module', `${module.path} has no mapping of its first page in ${who}`, { hint: 'this is not a normally loaded ELF file' });
    let elf: ElfFile;
    try {
      elf = parseElf(this.#target.moduleImage(module.path));
    } catch (error) {
      if (!(error instanceof ElfFormatError)) throw error;
      throw new TargetError('bad-module', `${module.path} is not an ELF file pvm can read: ${error.message}`, { hint: 'symbol() needs a 64-bit little-endian ELF file' });
    }
    const bias = loadBias(elf, base.start);
    this.#checkBuildId(module.path, elf, bias, who);
    const loaded = { elf, bias };
    this.#elves.set(module.path, loaded);
    return loaded;
  }

  /** The build-id in the file must be the one in memory (KERNEL.md §6: the note is in the first PT_LOAD). */
  #checkBuildId(path: string, elf: ElfFile, bias: bigint, who: string): void {
    if (elf.buildId === undefined) return;
    for (const note of elf.segments.filter((s) => s.type === PT_NOTE)) {
      const [result] = this.#target.read([{ address: note.vaddr + bias, length: Number(note.filesz) }]);
      if (result === undefined || result.fault !== undefined) continue;
      const running = buildIdInNotes(result.bytes);
      if (running === undefined) continue;
      if (running !== elf.buildId) {
        throw new TargetError('build-id-mismatch', `${path} on disk (build-id ${elf.buildId}) is not the file ${who} runs (build-id ${running})`, {
          hint: 'the file was replaced after the process started; restart it, or resolve the address by scanning',
        });
      }
      return;
    }
  }
}

/** The extent of some mappings: from the lowest start to the highest end. */
function spanOf(path: string, mappings: readonly Region[]): ModuleRegion {
  return {
    path,
    start: mappings.reduce((min, r) => (r.start < min ? r.start : min), mappings[0]!.start),
    end: mappings.reduce((max, r) => (r.end > max ? r.end : max), mappings[0]!.end),
    mappings,
  };
}
