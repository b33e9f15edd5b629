// The types of one file's DWARF (DebugTypes, type-source.ts): an index of
// names built once per build-id and kept on disk (index-cache.ts), and the
// DIEs a lookup names decoded on demand (decode-type.ts). A run whose index
// is cached reads only the index until a type is asked for; then it
// inflates .debug_info and decodes that type and what it reaches.
import { statSync } from 'node:fs';
import { type ElfFile, ElfFormatError } from '../../native/elf.ts';
import { TargetError } from '../../errors.ts';
import { sha256 } from '../../digest.ts';
import type { CType, TypeName } from '../ctype.ts';
import type { DebugTypes } from '../type-source.ts';
import { DebugSections } from './debug-sections.ts';
import { DieReader } from './dies.ts';
import { DwarfFormatError } from './dwarf-error.ts';
import { MAX_DEPTH, TypeDecoder } from './decode-type.ts';
import { cacheFile, readCachedIndex, writeCachedIndex } from './index-cache.ts';
import { DistinctDefinitions } from './distinct-definitions.ts';
import { buildTypeIndex, indexKey, type TypeIndex } from './type-index.ts';
import * as DW from './constants.ts';

export interface DebugTypesOptions {
  /** pvm's cache directory ($XDG_CACHE_HOME/pvm, src/api/session.ts); undefined keeps no cache. */
  readonly cacheDirectory: string | undefined;
}

/** One distinct definition of a name, with where it comes from (for messages). */
export interface TypeDefinition {
  readonly type: CType;
  /** The first compile unit (source file) defining it so, or undefined for a declaration. */
  readonly unit: string | undefined;
  /** How many units define it so. */
  readonly units: number;
}

/** DebugTypes, and where each definition comes from. Its methods throw TargetError 'bad-debug-info' (exit 4) for DWARF they cannot read. */
export interface DwarfDebugTypes extends DebugTypes {
  /** Every distinct definition of `name` (as `find`), with its compile units. */
  definitions(name: TypeName): TypeDefinition[];
}

/** The types of `elf`'s own DWARF; `path` names the file (the debug file, if separate). Nothing is read until asked. */
export function openDebugTypes(path: string, elf: Pick<ElfFile, 'buildId' | 'section'>, options: DebugTypesOptions): DwarfDebugTypes {
  return new DwarfTypes(path, elf, options);
}

/** Whether `elf` has DWARF of its own (a debug file, or a program built with -g and not stripped). */
export function hasDebugInfo(elf: Pick<ElfFile, 'section'>): boolean {
  return elf.section('.debug_info') !== undefined;
}

const TYPE_TAGS: Record<string, readonly number[]> = {
  struct: [DW.DW_TAG_structure_type, DW.DW_TAG_class_type],
  union: [DW.DW_TAG_union_type],
  enum: [DW.DW_TAG_enumeration_type],
  plain: [DW.DW_TAG_typedef, DW.DW_TAG_base_type],
};

class DwarfTypes implements DwarfDebugTypes {
  readonly path: string;
  readonly buildId: string | undefined;
  readonly #elf: Pick<ElfFile, 'buildId' | 'section'>;
  readonly #cacheDirectory: string | undefined;
  #index: TypeIndex | undefined;
  /** The size of .debug_info a cached index says it was built from; undefined once the index is this run's own. */
  #cachedInfoBytes: number | undefined;
  #reader: DieReader | undefined;
  #distinct: DistinctDefinitions | undefined;
  #decoder: TypeDecoder | undefined;

  constructor(path: string, elf: Pick<ElfFile, 'buildId' | 'section'>, options: DebugTypesOptions) {
    this.path = path;
    this.buildId = elf.buildId;
    this.#elf = elf;
    this.#cacheDirectory = options.cacheDirectory;
  }

  names(): string[] {
    return this.#guard(() => [...this.#loadIndex().defined.keys()]);
  }

  find(name: TypeName): CType[] {
    return this.definitions(name).map((d) => d.type);
  }

  definitions(name: TypeName): TypeDefinition[] {
    return this.#guard(() => {
      try {
        return this.#definitions(name);
      } catch (error) {
        // An index from the cache that does not fit this file's DWARF: built again from the file, once.
        if (!(error instanceof StaleIndex)) throw error;
        this.#rebuild();
        return this.#definitions(name);
      }
    });
  }

  #definitions(name: TypeName): TypeDefinition[] {
    const index = this.#loadIndex();
    const reader = this.#readerOf();
    if (this.#cachedInfoBytes !== undefined && this.#cachedInfoBytes !== reader.info.length) throw new StaleIndex();
    const key = indexKey(name);
    const { decoder, distinct } = this.#decoderOf(reader, index);
    const found: TypeDefinition[] = this.#checked(() => distinct.of(key)).map((d) => ({ type: this.#decodeIndexed(reader, decoder, name, d.die), unit: d.unit, units: d.units }));
    if (found.length === 0) {
      const declared = index.declared.get(key);
      if (declared !== undefined) found.push({ type: this.#decodeIndexed(reader, decoder, name, declared), unit: undefined, units: 1 });
    }
    // Decoded whole now, pointers' targets too, so that corrupt DWARF is found here and not by whoever follows a pointer later.
    for (const definition of found) reachAll(definition.type);
    return found;
  }

  /** What the index's DIEs say; a cached index whose DIEs cannot be read is not this file's. */
  #checked<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (this.#cachedInfoBytes !== undefined && error instanceof DwarfFormatError) throw new StaleIndex();
      throw error;
    }
  }

  /** The type of an indexed DIE, once the DIE is seen to be what the index says it is. */
  #decodeIndexed(reader: DieReader, decoder: TypeDecoder, name: TypeName, offset: number): CType {
    const die = this.#checked(() => reader.read(reader.unitHolding(offset), offset));
    const tags = TYPE_TAGS[name.tag ?? 'plain']!;
    if (die === undefined || die.name !== name.name || !tags.includes(die.tag)) {
      if (this.#cachedInfoBytes !== undefined) throw new StaleIndex();
      throw new DwarfFormatError(`the index names the DIE at 0x${offset.toString(16)} for ${indexKey(name)}, which is not it`);
    }
    return decoder.typeAt(offset);
  }

  #loadIndex(): TypeIndex {
    if (this.#index !== undefined) return this.#index;
    // DWARF 4's type units (gcc -gdwarf-4 -fdebug-types-section) leave only signatures where the types would be: refused, not "not there".
    if (this.#elf.section('.debug_types') !== undefined) throw new DwarfFormatError('its types are in .debug_types (DWARF 4 type units, gcc -fdebug-types-section), which pvm does not read; DWARF 5 type units are read');
    const key = this.#cacheKey();
    if (key !== undefined && this.#cacheDirectory !== undefined) {
      const cached = readCachedIndex(cacheFile(this.#cacheDirectory, key), key);
      if (cached !== undefined) {
        this.#cachedInfoBytes = cached.infoBytes;
        return this.#index = cached.index;
      }
    }
    return this.#rebuild();
  }

  #rebuild(): TypeIndex {
    const reader = this.#readerOf();
    const index = buildTypeIndex(reader);
    this.#index = index;
    this.#cachedInfoBytes = undefined;
    this.#decoder = undefined;
    this.#distinct = undefined;
    const key = this.#cacheKey();
    if (key !== undefined && this.#cacheDirectory !== undefined) writeCachedIndex(cacheFile(this.#cacheDirectory, key), key, reader.info.length, index);
    return index;
  }

  /** What names this file's DWARF in the cache: its build-id, else its path, size and modification time (or nothing to cache by). */
  #cacheKey(): string | undefined {
    if (this.buildId !== undefined) return this.buildId;
    try {
      const stat = statSync(this.path);
      return `file-${sha256().update(`${this.path}\0${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`).hex().slice(0, 40)}`;
    } catch {
      return undefined;
    }
  }

  #readerOf(): DieReader {
    return this.#reader ??= new DieReader(new DebugSections(this.#elf));
  }

  #decoderOf(reader: DieReader, index: TypeIndex): { decoder: TypeDecoder; distinct: DistinctDefinitions } {
    const distinct = this.#distinct ??= new DistinctDefinitions(reader, index);
    const decoder = this.#decoder ??= new TypeDecoder(reader, this.path, (name) => {
      const definitions = distinct.of(indexKey(name));
      return definitions.length === 1 ? definitions[0]!.die : undefined;
    });
    return { decoder, distinct };
  }

  /** Runs `read`, making what is wrong with the file a TargetError that names it. */
  #guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof DwarfFormatError || error instanceof ElfFormatError) {
        throw new TargetError('bad-debug-info', `the debug info in ${this.path} cannot be read: ${error.message}`, {
          hint: 'the file is corrupt or truncated, or was written by a tool pvm does not follow: reinstall its debug package, or check it with `readelf --debug-dump=info`',
        });
      }
      throw error;
    }
  }
}

/** A cached index that names DIEs this file does not have where it says. */
class StaleIndex extends Error {}

/**
 * Calls every pointer's and typedef's target in what `type` reaches, once
 * each, and refuses what corrupt DWARF can make and C cannot: a pointer or
 * typedef that leads back to itself without a struct between (which would
 * spell forever), or a chain of them deeper than MAX_DEPTH.
 */
function reachAll(type: CType): void {
  const seen = new Set<CType>();
  const depths = new Map<CType, number>();
  const pending: CType[] = [type];
  for (let t = pending.pop(); t !== undefined; t = pending.pop()) {
    if (seen.has(t)) continue;
    seen.add(t);
    wrapperDepth(t, depths, new Set());
    switch (t.kind) {
      case 'pointer':
      case 'typedef':
        pending.push(t.target());
        break;
      case 'qualified':
        pending.push(t.target);
        break;
      case 'array':
        pending.push(t.element);
        break;
      case 'struct':
      case 'union':
        for (const member of t.members) pending.push(member.type);
        break;
      default:
        break;
    }
  }
}

/** How many pointers, typedefs, qualifiers and arrays `type` is wrapped in before a struct, union, enum or scalar. */
function wrapperDepth(type: CType, depths: Map<CType, number>, visiting: Set<CType>): number {
  const known = depths.get(type);
  if (known !== undefined) return known;
  let inner: CType;
  switch (type.kind) {
    case 'pointer':
    case 'typedef':
      inner = type.target();
      break;
    case 'qualified':
      inner = type.target;
      break;
    case 'array':
      inner = type.element;
      break;
    default:
      return 0;
  }
  if (visiting.has(type)) throw new DwarfFormatError('a pointer or typedef in the debug info leads back to itself');
  visiting.add(type);
  const depth = 1 + wrapperDepth(inner, depths, visiting);
  if (depth > MAX_DEPTH) throw new DwarfFormatError(`a type is wrapped in more than ${MAX_DEPTH} pointers, typedefs and arrays`);
  depths.set(type, depth);
  return depth;
}
