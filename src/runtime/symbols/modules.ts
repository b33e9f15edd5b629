// module("name") and symbol("module", "name"): from the target's map and the
// module's ELF file to running addresses (docs/kernel.md §6). The file on disk is
// checked against the running one by build-id, so a replaced file cannot give
// silently wrong addresses.
import { basename } from 'node:path';
import { TargetError } from '../../errors.ts';
import { attempt } from '../../attempt.ts';
import { buildIdInNotes, type ElfFile, ElfFormatError, type ElfSymbol, loadBias, PT_LOAD, PT_NOTE, STT_FILE, STT_GNU_IFUNC, STT_OBJECT, STT_SECTION, STT_TLS } from '../../native/elf.ts';
import { DEFAULT_DEBUG_DIRECTORIES } from '../../target/debug-files.ts';
import { type DebugLookup, ElfFiles } from './elf-files.ts';
import { closest } from '../../suggest.ts';
import { MapWatch } from '../../target/map-watch.ts';
import { describeTarget, type MemorySource, namesModule, type Region } from '../../target/target.ts';
import type { DebugInfoReader } from '../../types/debug-info-files.ts';
import type { DwarfDebugTypes } from '../../types/dwarf/debug-types.ts';
import type { TypeProblem } from '../../types/type-source.ts';

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

export interface ResolverOptions {
  /** Where separate debug files are looked for (gdb's debug-file-directory); /usr/lib/debug unless given. */
  readonly debugDirectories?: readonly string[] | undefined;
  /** Parses shared with other resolvers (many processes of one program); the caller closes it. Else the resolver has its own. */
  readonly elfFiles?: ElfFiles | undefined;
  /** pvm's cache directory, where debug files' type indexes are kept (src/api/session.ts); undefined keeps none. */
  readonly cacheDirectory?: string | undefined;
  /** Milliseconds, for how long a map read is taken as current (tests pass a clock). */
  readonly now?: (() => number) | undefined;
  /** The map to work answers out on, when the caller works on it too (a policy's region rules and their symbols): else the resolver watches the map itself. */
  readonly map?: MapWatch | undefined;
}

/** A module's ELF file, read and checked against the running one. */
interface LoadedModule {
  readonly module: ModuleRegion;
  readonly elf: ElfFile;
  readonly bias: bigint;
  /** Its separate debug file, once looked for: the file, or the paths tried. */
  debug?: DebugLookup;
}

/** A symbol resolved to where the running program has it. */
interface Resolved {
  readonly address: bigint;
  readonly size: bigint;
}

export class ModuleResolver {
  readonly #target: MemorySource;
  readonly #debugDirectories: readonly string[];
  readonly #cacheDirectory: string | undefined;
  readonly #files = new Map<string, ElfFile>();
  /** The modules loaded on the map of version #answersOf (a module mapped again has another load bias). */
  readonly #loaded = new Map<string, LoadedModule>();
  readonly #parses: ElfFiles;
  readonly #ownParses: boolean;
  /** The map, re-read at most every few milliseconds: module(), region() and symbol() ask for it on every call. */
  readonly #map: MapWatch;
  /**
   * The answers of module(), region() and symbol() on the map of version
   * #answersOf: a loop asks the same each time round, and working an answer
   * out takes ~0.4 ms (the map, the module's mappings, its build-id note).
   */
  readonly #answers = new Map<string, ModuleRegion | Resolved>();
  #answersOf = 0;

  constructor(target: MemorySource, options: ResolverOptions = {}) {
    this.#target = target;
    this.#debugDirectories = options.debugDirectories ?? DEFAULT_DEBUG_DIRECTORIES;
    this.#cacheDirectory = options.cacheDirectory;
    this.#ownParses = options.elfFiles === undefined;
    this.#parses = options.elfFiles ?? new ElfFiles();
    this.#map = options.map ?? new MapWatch(target, options.now);
  }

  /**
   * The answer for `key` on the map as it is now: remembered while the map
   * stays the same. A name not found is looked for once more on the map read
   * afresh (it may be in a library mapped since the map was last read).
   */
  #remembered<T extends ModuleRegion | Resolved>(key: string, work: () => T): T {
    this.#regions();
    const known = this.#answers.get(key) as T | undefined;
    if (known !== undefined) return known;
    const version = this.#map.version;
    try {
      return this.#keep(key, version, work());
    } catch (error) {
      if (!(error instanceof TargetError) || !NOT_FOUND.has(error.code)) throw error;
      this.#regions(true);
      if (this.#map.version === version) throw error;
      return this.#keep(key, this.#map.version, work());
    }
  }

  /** The map (as #map gives it), every answer and loaded module of an older one forgotten: what every lookup starts from. */
  #regions(fresh = false): readonly Region[] {
    const regions = this.#map.regions(fresh);
    this.#forgetOlderAnswers();
    return regions;
  }

  /** Answers and loaded modules hold for the map they were worked out on. */
  #forgetOlderAnswers(): void {
    if (this.#answersOf === this.#map.version) return;
    this.#answers.clear();
    this.#loaded.clear();
    this.#answersOf = this.#map.version;
  }

  /** Keeps an answer, unless the map changed while it was worked out. */
  #keep<T extends ModuleRegion | Resolved>(key: string, version: number, answer: T): T {
    if (this.#map.version === version) this.#answers.set(key, answer);
    return answer;
  }

  /** Closes the files opened for lookups, unless they are shared (module files the target opened belong to it). */
  close(): void {
    if (this.#ownParses) this.#parses.close();
  }

  /**
   * The one loaded file whose path is `name`, ends in `/name`, or has basename
   * `name`; failing that, the one whose soname (DT_SONAME) is `name`, so that
   * `libsqlite3.so.0` finds `libsqlite3.so.0.8.6`.
   */
  module(name: string): ModuleRegion {
    return this.#remembered(`module\0${name}`, () => this.#module(name));
  }

  #module(name: string): ModuleRegion {
    const who = describeTarget(this.#target.identity);
    const regions = this.#regions();
    const files = [...new Set(regions.filter((r) => r.path.startsWith('/')).map((r) => r.path))];
    let matches = files.filter((path) => namesModule(path, name));
    if (matches.length === 0) matches = mappedFiles(regions).filter((path) => attempt(() => this.#elfOf(path).soname) === name);
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
    return fileModule(path, regions);
  }

  /** The mappings named exactly `name`: a pseudo-name such as `[heap]` or `[anon:cache]`, or a file's whole path. */
  region(name: string): ModuleRegion {
    return this.#remembered(`region\0${name}`, () => this.#region(name));
  }

  #region(name: string): ModuleRegion {
    const regions = this.#regions();
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

  /**
   * Where a symbol's bytes lie: its running address and its ELF size (for
   * policies' `symbol:MODULE:NAME`). A symbol of size 0 (a label) says
   * nothing of the bytes a rule on it means: an error, which refuses the run.
   */
  symbolRange(moduleName: string | undefined, name: string): { start: bigint; end: bigint } {
    const { address, size } = this.#resolve(moduleName, name);
    if (size === 0n) {
      throw new TargetError('no-symbol', `'${name}'${moduleName === undefined ? '' : ` in ${moduleName}`} has size 0 in its ELF symbol table (a label): which bytes it covers is unknown`, {
        hint: 'name the bytes as an address range (0xSTART-0xEND), or name a symbol that has a size',
      });
    }
    return { start: address, end: address + size };
  }

  /**
   * The running address of `name`: in the module `moduleName`, or, without
   * one, as the dynamic linker finds it (the executable, then the libraries in
   * load order).
   */
  symbol(moduleName: string | undefined, name: string): bigint {
    return this.#resolve(moduleName, name).address;
  }

  #resolve(moduleName: string | undefined, name: string): Resolved {
    return this.#remembered(moduleName === undefined ? `symbol\0${name}` : `symbol in\0${moduleName}\0${name}`, () => this.#resolveOnMap(moduleName, name));
  }

  #resolveOnMap(moduleName: string | undefined, name: string): Resolved {
    if (moduleName === undefined) return this.#global(name);
    const loaded = this.#load(this.module(moduleName));
    const symbol = this.#find(loaded, name);
    if (symbol === undefined) {
      const known = [...loaded.elf.symbolNames(), ...(this.#debugOf(loaded)?.symbolNames() ?? [])].filter((n) => n !== '');
      const suggestion = closest(name, known);
      const elsewhere = suggestion === undefined ? this.#definedElsewhere(name, loaded) : undefined;
      throw new TargetError('no-symbol', `${loaded.module.path} has no symbol '${name}'`, {
        hint: suggestion !== undefined
          ? `did you mean '${suggestion}'?`
          : elsewhere !== undefined
          ? `'${name}' is in ${elsewhere} (a program built with a shared library has it there): symbol("${basename(elsewhere)}", "${name}"), or symbol("${name}") to look in every module`
          : this.#missingHint(loaded),
      });
    }
    return this.#copied(loaded, symbol) ?? this.#relocate(loaded, symbol);
  }

  /**
   * The names of a module's defined symbols, its file's and its debug file's: what symbol("MODULE", …) may
   * name (an editor's completion). Not a source file's or a section's name (`malloc.c`: no variable or
   * function is there), nor `name@VERSION` beside `name`.
   */
  symbolNames(moduleName: string): string[] {
    const loaded = this.#load(this.module(moduleName));
    const names = new Set<string>();
    for (const elf of [loaded.elf, this.#debugOf(loaded)]) {
      for (const name of elf?.symbolNames() ?? []) {
        const type = elf!.findSymbol(name)?.type;
        if (name !== '' && type !== STT_FILE && type !== STT_SECTION) names.add(name);
      }
    }
    return [...names].filter((name) => {
      const at = name.indexOf('@');
      return at < 0 || !names.has(name.slice(0, at));
    });
  }

  /**
   * The types of the module `moduleName` (as module() finds it) or, when
   * undefined, of the executable: from its DWARF or its debug file's, or
   * why not (no such module, no debug info, debug info pvm cannot read).
   */
  debugTypes(moduleName: string | undefined, reader: DebugInfoReader): DwarfDebugTypes | { problem: TypeProblem } {
    let loaded: LoadedModule;
    try {
      const regions = this.#regions();
      const path = moduleName === undefined ? this.#executablePath(regions) : this.module(moduleName).path;
      if (path === undefined) {
        const who = describeTarget(this.#target.identity);
        return { problem: { code: 'no-module', message: `which file is the executable of ${who} is not known`, hint: 'name the module the type comes from: `as TYPE from "MODULE"`', exit: 4 } };
      }
      loaded = this.#load(fileModule(path, regions));
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      const code = error.code === 'no-module' || error.code === 'ambiguous-module' ? 'no-module' : error.code === 'bad-module' ? 'bad-debug-info' : 'no-debug-info';
      return { problem: { code, message: error.message, hint: error.hint, exit: 4 } };
    }
    return reader.debugTypesOfModule(
      loaded.module.path,
      loaded.elf,
      () => loaded.debug ??= this.#parses.debugOf(loaded.module.path, loaded.elf, this.#debugDirectories),
      (path, elf) => this.#parses.typesOf(path, elf, this.#cacheDirectory, reader.openDebugTypes),
    );
  }

  /** The first other module, in the dynamic linker's order, that defines `name` (for the hint of a symbol looked for in the wrong one). */
  #definedElsewhere(name: string, not: LoadedModule): string | undefined {
    const regions = this.#regions();
    return this.#loadOrder(regions).find((path) => {
      if (path === not.module.path) return false;
      const loaded = attempt(() => this.#load(fileModule(path, regions)));
      return loaded !== undefined && attempt(() => this.#find(loaded, name)) !== undefined;
    });
  }

  /** A symbol of the module's own file (.symtab, then .dynsym), then of its separate debug file. */
  #find(loaded: LoadedModule, name: string): ElfSymbol | undefined {
    return loaded.elf.findSymbol(name) ?? this.#debugOf(loaded)?.findSymbol(name);
  }

  #debugOf(loaded: LoadedModule): ElfFile | undefined {
    loaded.debug ??= this.#parses.debugOf(loaded.module.path, loaded.elf, this.#debugDirectories);
    return 'elf' in loaded.debug ? loaded.debug.elf : undefined;
  }

  #missingHint(loaded: LoadedModule): string {
    if (loaded.elf.hasSymtab) return 'check the spelling; `nm` lists the symbols of a file';
    const debug = loaded.debug;
    if (debug !== undefined && 'path' in debug) return `check the spelling; neither the file nor its debug file ${debug.path} has it (\`nm\` lists a file's symbols)`;
    const tried = debug?.tried ?? [];
    return `the file is stripped: only its exported (.dynsym) symbols are known (\`nm -D\` lists them), and no debug file was found${
      tried.length > 0 ? ` (tried ${tried.join(', ')})` : ''
    }; install its debug package (for libc: libc6-dbg) or set PVM_DEBUG_FILE_DIRECTORY`;
  }

  #relocate(loaded: LoadedModule, symbol: ElfSymbol): Resolved {
    const file = basename(loaded.module.path);
    if (symbol.type === STT_TLS) {
      throw new TargetError('tls-symbol', `'${symbol.name}' in ${file} is thread-local: its value, 0x${symbol.value.toString(16)}, is an offset into each thread's TLS block, not an address`, {
        hint: `each thread's block lies below its thread pointer, reg(threads()[0], "fs_base") (x86-64 TLS variant II); for the main program it starts at fs_base minus its PT_TLS size rounded up to its alignment`,
      });
    }
    if (symbol.type === STT_GNU_IFUNC) {
      throw new TargetError('ifunc-symbol', `'${symbol.name}' in ${file} is an IFUNC: its address is the resolver that picks an implementation when the program loads, not the implementation`, {
        hint: 'read the address the program resolved from its GOT, or scan for the code',
      });
    }
    return { address: symbol.value + loaded.bias, size: symbol.size };
  }

  /**
   * A library's object that the executable holds a copy of (R_X86_64_COPY):
   * the dynamic linker copied it into the executable at start-up and every
   * module, the library included, uses the copy. An alias of a copied object
   * (libc's `environ` for the executable's copy of `__environ`) moves with it.
   */
  #copied(loaded: LoadedModule, symbol: ElfSymbol): Resolved | undefined {
    if (symbol.type !== STT_OBJECT) return undefined;
    const regions = this.#regions();
    const executable = this.#executablePath(regions);
    if (executable === undefined || executable === loaded.module.path) return undefined;
    const exe = attempt(() => this.#load(fileModule(executable, regions)));
    if (exe === undefined) return undefined;
    for (const copiedName of exe.elf.copyRelocations()) {
      const original = loaded.elf.findExported(copiedName);
      if (original === undefined || symbol.value < original.value || symbol.value >= original.value + (original.size > 0n ? original.size : 1n)) continue;
      const copy = exe.elf.findExported(copiedName);
      if (copy === undefined) continue;
      return { address: copy.value + exe.bias + (symbol.value - original.value), size: symbol.size };
    }
    return undefined;
  }

  /**
   * `symbol("NAME")`: the first exported definition in the dynamic linker's
   * order; failing that, a local symbol (of a file's .symtab or its debug
   * file) that exactly one module defines.
   */
  #global(name: string): Resolved {
    const who = describeTarget(this.#target.identity);
    const regions = this.#regions();
    const modules = this.#loadOrder(regions).flatMap((path) => attempt(() => this.#load(fileModule(path, regions))) ?? []);
    for (const loaded of modules) {
      const symbol = loaded.elf.findExported(name);
      if (symbol !== undefined) return this.#relocate(loaded, symbol);
    }
    const defining = modules.flatMap((loaded) => {
      const symbol = this.#find(loaded, name);
      return symbol === undefined ? [] : [{ loaded, symbol }];
    });
    if (defining.length === 1) return this.#relocate(defining[0]!.loaded, defining[0]!.symbol);
    if (defining.length > 1) {
      throw new TargetError('ambiguous-symbol', `'${name}' is a local symbol of ${defining.length} modules of ${who}: ${defining.map((d) => d.loaded.module.path).join(', ')}`, {
        hint: `name the module: symbol("${basename(defining[0]!.loaded.module.path)}", "${name}")`,
      });
    }
    throw new TargetError('no-symbol', `no module of ${who} defines '${name}'`, {
      hint: 'check the spelling; stripped modules know only their exported symbols unless their debug files are installed',
    });
  }

  /**
   * Mapped files in the dynamic linker's lookup order: its link_map list (the
   * executable, then the libraries as they were loaded), then any others in
   * address order. Without a link map (a static executable), the executable
   * first.
   */
  /** The paths of the mapped files, the executable first, then in the dynamic linker's order (a type looked for everywhere). */
  modulePaths(): string[] {
    return this.#loadOrder(this.#regions());
  }

  #loadOrder(regions: readonly Region[]): string[] {
    const files = mappedFiles(regions);
    const linkMap = this.#linkMap(regions, files) ?? []; // read once: it also names the executable
    const executable = this.#namedExecutable(regions) ?? linkMap[0];
    return [...new Set([...(executable === undefined ? [] : [executable]), ...linkMap, ...files])];
  }

  /** The executable: as the target names it (/proc/PID/exe, a core's note), else the first entry of the link map. */
  #executablePath(regions: readonly Region[]): string | undefined {
    return this.#namedExecutable(regions) ?? this.#linkMap(regions, mappedFiles(regions))?.[0];
  }

  #namedExecutable(regions: readonly Region[]): string | undefined {
    const exe = this.#target.identity.exe;
    return exe !== undefined && regions.some((r) => r.path === exe) ? exe : undefined;
  }

  /** The files of the link_map list, from the dynamic linker's `_r_debug` (what gdb reads for `info sharedlibrary`). */
  #linkMap(regions: readonly Region[], files: readonly string[]): string[] | undefined {
    const loaders = files.filter((path) => /^ld[-.]/.test(basename(path)));
    let rDebug: bigint | undefined;
    for (const path of loaders) {
      const loaded = attempt(() => this.#load(fileModule(path, regions)));
      const symbol = loaded?.elf.findExported('_r_debug');
      if (loaded !== undefined && symbol !== undefined) rDebug = symbol.value + loaded.bias;
      if (rDebug !== undefined) break;
    }
    if (rDebug === undefined) return undefined;
    const word = (address: bigint, count: number): bigint[] | undefined => {
      const [result] = this.#target.read([{ address, length: count * 8 }]);
      if (result === undefined || result.done < count * 8) return undefined;
      const view = new DataView(result.bytes.buffer, result.bytes.byteOffset, count * 8);
      return Array.from({ length: count }, (_, i) => view.getBigUint64(i * 8, true));
    };
    const order: string[] = [];
    const seen = new Set<bigint>();
    // struct r_debug { int r_version; struct link_map *r_map; … }; struct link_map { l_addr, l_name, l_ld, l_next, l_prev }.
    let entry = word(rDebug + 8n, 1)?.[0];
    while (entry !== undefined && entry !== 0n && !seen.has(entry) && seen.size < 4096) {
      seen.add(entry);
      const fields = word(entry, 4);
      if (fields === undefined) break;
      const dynamic = fields[2]!;
      const region = regions.find((r) => r.start <= dynamic && dynamic < r.end);
      if (region !== undefined && files.includes(region.path) && !order.includes(region.path)) order.push(region.path);
      entry = fields[3];
    }
    return order.length > 0 ? order : undefined;
  }

  /**
   * The ELF symbol whose bytes hold `address`, and how far into it: in the
   * module whose PT_LOAD segments, relocated, cover the address (its .bss too,
   * mapped anonymously after its file), from its .symtab or .dynsym, else its
   * separate debug file's. Undefined when no module's file that pvm can check
   * knows one.
   */
  symbolAt(address: bigint): { readonly module: string; readonly name: string; readonly offset: bigint } | undefined {
    const regions = this.#regions();
    for (const path of mappedFiles(regions)) {
      const loaded = attempt(() => this.#load(fileModule(path, regions)));
      if (loaded === undefined) continue;
      const at = address - loaded.bias;
      if (!loaded.elf.segments.some((s) => s.type === PT_LOAD && s.vaddr <= at && at < s.vaddr + s.memsz)) continue;
      const symbol = loaded.elf.symbolContaining(at) ?? attempt(() => this.#debugOf(loaded))?.symbolContaining(at);
      return symbol === undefined ? undefined : { module: path, name: symbol.name, offset: at - symbol.value };
    }
    return undefined;
  }

  /**
   * For each address: the file mapped there, the address's offset from the
   * file's first mapping, and the file's build-id, or undefined for memory
   * with no file (for the journal: an address that means the same after a
   * restart). One read of the map serves them all.
   */
  filesAt(addresses: readonly bigint[]): (FileAddress | undefined)[] {
    const regions = this.#regions();
    return addresses.map((address) => this.#fileAt(address, regions));
  }

  #fileAt(address: bigint, regions: readonly Region[]): FileAddress | undefined {
    const region = regions.find((r) => r.start <= address && address < r.end);
    if (region === undefined || !region.path.startsWith('/')) return undefined;
    const module = fileModule(region.path, regions);
    let buildId: string | undefined;
    try {
      buildId = this.#load(module).elf.buildId;
    } catch {
      buildId = undefined; // not an ELF file pvm reads, or deleted: the path and offset still say where
    }
    return { path: region.path, offset: address - module.start, buildId };
  }

  /** The module's ELF file, parsed once (headers only; symbol tables on first lookup). */
  #elfOf(path: string): ElfFile {
    let elf = this.#files.get(path);
    if (elf === undefined) {
      try {
        elf = this.#parses.parse(this.#target.moduleFile(path));
      } catch (error) {
        if (!(error instanceof ElfFormatError)) throw error;
        throw new TargetError('bad-module', `${path} is not an ELF file pvm can read: ${error.message}`, { hint: 'symbol() needs a 64-bit little-endian ELF file' });
      }
      this.#files.set(path, elf);
    }
    return elf;
  }

  #load(module: ModuleRegion): LoadedModule {
    const cached = this.#loaded.get(module.path);
    if (cached !== undefined) return cached;
    const who = describeTarget(this.#target.identity);
    if (module.mappings.some((m) => m.deleted)) {
      throw new TargetError('module-deleted', `the file of ${module.path} was deleted after ${who} loaded it`, { hint: 'restart the process to load the current file, or resolve the address by scanning' });
    }
    const base = module.mappings.find((m) => m.offset === 0n);
    if (base === undefined) throw new TargetError('bad-module', `${module.path} has no mapping of its first page in ${who}`, { hint: 'this is not a normally loaded ELF file' });
    const elf = this.#elfOf(module.path);
    const bias = loadBias(elf, base.start);
    this.#checkBuildId(module.path, elf, bias, who);
    const loaded: LoadedModule = { module, elf, bias };
    this.#loaded.set(module.path, loaded);
    return loaded;
  }

  /** The build-id in the file must be the one in memory (docs/kernel.md §6: the note is in the first PT_LOAD). */
  #checkBuildId(path: string, elf: ElfFile, bias: bigint, who: string): void {
    if (elf.buildId === undefined) return;
    // The segment the file's build-id is in, first: each note segment read before it is one read more per process.
    const notes = elf.segments.filter((s) => s.type === PT_NOTE);
    const mark = elf.buildIdNote;
    for (const note of mark === undefined ? notes : [mark, ...notes.filter((s) => s !== mark)]) {
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

/** The errors of a name not found, which a map read afresh may change. */
const NOT_FOUND: ReadonlySet<string> = new Set(['no-module', 'no-region', 'no-symbol']);

/** The files a target maps from their first page (offset 0), in address order: the candidates for modules. */
function mappedFiles(regions: readonly Region[]): string[] {
  return [...new Set(regions.filter((r) => r.path.startsWith('/') && r.offset === 0n).map((r) => r.path))];
}

/** The module of a mapped file: its mappings in `regions`. */
function fileModule(path: string, regions: readonly Region[]): ModuleRegion {
  return spanOf(path, regions.filter((r) => r.path === path));
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
