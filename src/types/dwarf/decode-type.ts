// A type DIE made a CType (ctype.ts): base types, typedefs, qualifiers,
// structs and unions with their members and bitfields, enums, pointers,
// arrays and function types. Each DIE is decoded once; what a struct holds
// by value is decoded with it, what a pointer points at only when asked
// (a list node points to itself). A declaration (`struct X;`) becomes the
// definition some other unit gives, when exactly one does.
import { type Aggregate, type CType, type EnumType, type Member, sizeOf, type TypeName } from '../ctype.ts';
import type { Die, DieReader, Unit } from './dies.ts';
import { DwarfFormatError } from './dwarf-error.ts';
import * as DW from './constants.ts';
import { UnitLayouts } from './type-layouts.ts';

/** No C type nests deeper by value than this (a struct in a struct in …, a typedef of a typedef of …); corrupt DWARF can claim any depth. ctype.ts's `concrete` looks through as many. */
export const MAX_DEPTH = 64;
/** No type a compiler describes is larger (in bytes) than this: a larger one is corrupt. */
const MAX_TYPE_BYTES = 2 ** 40;
/** A member's offset or an array's length beyond this is corrupt. */
const MAX_COUNT = 2 ** 40;

/** Where the definition of a declared `struct X` is: the offset of its DIE, if exactly one distinct definition exists. */
export type FindDefinition = (name: TypeName) => number | undefined;

export class TypeDecoder {
  readonly #reader: DieReader;
  readonly #origin: string;
  readonly #definition: FindDefinition;
  readonly #decoded = new Map<number, CType>();
  readonly #decoding = new Set<number>();
  #depth = 0;

  /** `origin`: the debug file's path, which named types carry for messages. */
  constructor(reader: DieReader, origin: string, definition: FindDefinition) {
    this.#reader = reader;
    this.#origin = origin;
    this.#definition = definition;
  }

  /** The type whose DIE is at `offset` of .debug_info (in `unit`, when the caller knows it). */
  typeAt(offset: number, unit?: Unit): CType {
    const known = this.#decoded.get(offset);
    if (known !== undefined) return known;
    if (this.#decoding.has(offset)) throw new DwarfFormatError(`the type at 0x${offset.toString(16)} of .debug_info contains itself (a typedef of itself, or a struct holding itself by value)`);
    if (this.#depth >= MAX_DEPTH) throw new DwarfFormatError(`types nest deeper than ${MAX_DEPTH} levels at 0x${offset.toString(16)} of .debug_info`);
    const holder = unit !== undefined && offset >= unit.rootOffset && offset < unit.end ? unit : this.#reader.unitHolding(offset);
    const die = this.#reader.read(holder, offset);
    if (die === undefined) throw new DwarfFormatError(`a type reference points at a null entry (0x${offset.toString(16)} of .debug_info)`);
    this.#decoding.add(offset);
    this.#depth++;
    try {
      const type = this.#decode(die);
      this.#decoded.set(offset, type);
      return type;
    } finally {
      this.#decoding.delete(offset);
      this.#depth--;
    }
  }

  /** The DIE's DW_AT_type (void when absent). */
  #target(die: Die): CType {
    if (die.signature !== undefined) return this.typeAt(this.#reader.typeUnitType(die.signature));
    return die.type === undefined ? VOID : this.typeAt(die.type, die.unit);
  }

  /** A pointer's target, decoded on first use and kept. */
  #lazyTarget(die: Die): () => CType {
    let target: CType | undefined;
    const signature = die.signature;
    const offset = die.type;
    const unit = die.unit;
    return () => (target ??= signature !== undefined ? this.typeAt(this.#reader.typeUnitType(signature)) : offset === undefined ? VOID : this.typeAt(offset, unit));
  }

  #decode(die: Die): CType {
    switch (die.tag) {
      case DW.DW_TAG_base_type:
        return this.#base(die);
      case DW.DW_TAG_typedef: {
        const target = this.#target(die);
        return { kind: 'typedef', name: this.#name(die, 'typedef'), target: () => target, origin: this.#origin };
      }
      case DW.DW_TAG_const_type:
      case DW.DW_TAG_volatile_type: {
        const target = this.#target(die);
        const isConst = die.tag === DW.DW_TAG_const_type;
        if (target.kind === 'qualified') return { kind: 'qualified', const: target.const || isConst, volatile: target.volatile || !isConst, target: target.target };
        return { kind: 'qualified', const: isConst, volatile: !isConst, target };
      }
      case DW.DW_TAG_restrict_type:
      case DW.DW_TAG_atomic_type:
        return this.#target(die); // no difference to the bytes
      case DW.DW_TAG_pointer_type:
      case DW.DW_TAG_reference_type:
      case DW.DW_TAG_rvalue_reference_type:
        return { kind: 'pointer', size: this.#size(die, die.byteSize ?? die.unit.addressSize), target: this.#lazyTarget(die) };
      case DW.DW_TAG_structure_type:
      case DW.DW_TAG_class_type:
      case DW.DW_TAG_union_type:
        return this.#aggregate(die);
      case DW.DW_TAG_enumeration_type:
        return this.#enum(die);
      case DW.DW_TAG_array_type:
        return this.#array(die);
      case DW.DW_TAG_subroutine_type:
        // The return type spelled from its DIEs: decoding it could reach the struct being decoded (a member `struct X *(*make)(void)`).
        return { kind: 'function', name: die.type === undefined ? undefined : new UnitLayouts(this.#reader, die.unit).spell(die.type, 0) };
      case DW.DW_TAG_unspecified_type:
        return VOID;
      default:
        throw new DwarfFormatError(`a type reference points at the DIE at 0x${die.offset.toString(16)} of .debug_info, of tag 0x${die.tag.toString(16)}, which is not a type pvm knows`);
    }
  }

  #base(die: Die): CType {
    const name = this.#name(die, 'base type');
    const size = this.#size(die, die.byteSize);
    switch (die.encoding) {
      case DW.DW_ATE_boolean:
        return { kind: 'bool', name, size };
      case DW.DW_ATE_float:
        return { kind: 'float', name, size };
      case DW.DW_ATE_complex_float:
        // Two floats, real then imaginary: what `_Complex double` is in memory.
        return { kind: 'array', element: { kind: 'float', name: name.replace(/\s*complex\s*/, ' ').trim() || 'float', size: size / 2 }, count: 2 };
      case DW.DW_ATE_signed_char:
      case DW.DW_ATE_unsigned_char:
        return { kind: 'int', name, size, signed: die.encoding === DW.DW_ATE_signed_char, char: true };
      case DW.DW_ATE_UTF:
        return size === 1 ? { kind: 'int', name, size, signed: false, char: true } : { kind: 'int', name, size, signed: false };
      case DW.DW_ATE_signed:
        return { kind: 'int', name, size, signed: true };
      default:
        // DW_ATE_unsigned, addresses, and encodings C does not have: bytes read as an unsigned integer of their size.
        return { kind: 'int', name, size, signed: false };
    }
  }

  #aggregate(die: Die): CType {
    const kind = die.tag === DW.DW_TAG_union_type ? 'union' : 'struct';
    if (die.signature !== undefined && die.byteSize === undefined) return this.typeAt(this.#reader.typeUnitType(die.signature));
    if (die.declaration || die.byteSize === undefined) {
      const definition = die.name === undefined ? undefined : this.#definition({ tag: kind, name: die.name });
      if (definition !== undefined && definition !== die.offset) return this.typeAt(definition);
      const declared: Aggregate = { kind, name: die.name, size: undefined, members: [], origin: this.#origin };
      return declared;
    }
    const size = this.#size(die, die.byteSize);
    const members: Member[] = [];
    this.#children(die, (child) => {
      if (child.tag === DW.DW_TAG_member) members.push(this.#member(child, kind));
    });
    return { kind, name: die.name, size, members, origin: this.#origin };
  }

  #member(die: Die, within: 'struct' | 'union'): Member {
    if (die.type === undefined && die.signature === undefined) throw new DwarfFormatError(`the member at 0x${die.offset.toString(16)} of .debug_info has no type`);
    const type = this.#target(die);
    const location = die.memberLocation ?? 0;
    if (location < 0 || location > MAX_COUNT) throw new DwarfFormatError(`the member at 0x${die.offset.toString(16)} of .debug_info lies at ${location}, not within any struct`);
    if (die.bitSize === undefined) return { name: die.name, offset: within === 'union' ? 0 : location, type };
    let bits: number;
    if (die.dataBitOffset !== undefined) bits = location * 8 + die.dataBitOffset;
    else if (die.bitOffset !== undefined) {
      // DWARF 2's DW_AT_bit_offset counts from the most significant bit of a storage unit of DW_AT_byte_size bytes.
      const storage = die.byteSize ?? sizeOfStorage(type);
      bits = location * 8 + storage * 8 - die.bitOffset - die.bitSize;
    } else bits = location * 8;
    if (bits < 0 || die.bitSize <= 0 || die.bitSize > 128 || bits > MAX_COUNT) throw new DwarfFormatError(`the bitfield at 0x${die.offset.toString(16)} of .debug_info has ${die.bitSize} bits at bit ${bits}, which no struct can have`);
    return { name: die.name, offset: Math.floor(bits / 8), type, bitOffset: bits % 8, bitSize: die.bitSize };
  }

  #enum(die: Die): EnumType | CType {
    if (die.signature !== undefined && die.byteSize === undefined) return this.typeAt(this.#reader.typeUnitType(die.signature));
    if (die.declaration) {
      const definition = die.name === undefined ? undefined : this.#definition({ tag: 'enum', name: die.name });
      if (definition !== undefined && definition !== die.offset) return this.typeAt(definition);
    }
    const underlying = die.type === undefined ? undefined : this.#target(die);
    const base = underlying === undefined ? undefined : concreteInt(underlying);
    const size = this.#size(die, die.byteSize ?? base?.size ?? 4);
    const raw: { name: string; value: bigint; width: number }[] = [];
    this.#children(die, (child) => {
      if (child.tag === DW.DW_TAG_enumerator) raw.push({ name: this.#name(child, 'enumerator'), value: child.constValue ?? 0n, width: child.constWidth });
    });
    // Without an underlying type, C's rule: unsigned unless some value is negative (given as sdata).
    const signed = base?.signed ?? raw.some((e) => e.width === 0 && e.value < 0n);
    const enumerators = raw.map(({ name, value, width }) => ({ name, value: signed && width > 0 ? BigInt.asIntN(width * 8, value) : value }));
    return { kind: 'enum', name: die.name, size, signed, enumerators, origin: this.#origin };
  }

  #array(die: Die): CType {
    const element = this.#target(die);
    const counts: (number | undefined)[] = [];
    this.#children(die, (child) => {
      if (child.tag !== DW.DW_TAG_subrange_type) return;
      let count: number | undefined;
      if (child.count !== undefined) count = child.count;
      else if (child.upperBound !== undefined) count = child.upperBound - (child.lowerBound ?? 0) + 1;
      if (count !== undefined && (count < 0 || count > MAX_COUNT)) throw new DwarfFormatError(`the array at 0x${die.offset.toString(16)} of .debug_info claims ${count} elements`);
      counts.push(count);
    });
    if (counts.length === 0) counts.push(undefined);
    let type = element;
    for (let i = counts.length - 1; i >= 0; i--) {
      type = { kind: 'array', element: type, count: counts[i] };
      const bytes = sizeOf(type);
      if (bytes !== undefined && bytes > MAX_TYPE_BYTES) throw new DwarfFormatError(`the array at 0x${die.offset.toString(16)} of .debug_info claims ${bytes} bytes, which no type has`);
    }
    return type;
  }

  /** Calls `visit` with each child DIE of `die` (only the first level). */
  #children(die: Die, visit: (child: Die) => void): void {
    if (!die.hasChildren) return;
    const reader = this.#reader;
    for (let offset = die.attributesEnd;;) {
      const child = reader.read(die.unit, offset);
      if (child === undefined) return;
      visit(child);
      offset = reader.skipDie(die.unit, child);
    }
  }

  #name(die: Die, what: string): string {
    if (die.name === undefined) throw new DwarfFormatError(`the ${what} at 0x${die.offset.toString(16)} of .debug_info has no name`);
    return die.name;
  }

  #size(die: Die, size: number | undefined): number {
    if (size === undefined) throw new DwarfFormatError(`the type at 0x${die.offset.toString(16)} of .debug_info has no size`);
    if (size < 0 || size > MAX_TYPE_BYTES || !Number.isInteger(size)) throw new DwarfFormatError(`the type at 0x${die.offset.toString(16)} of .debug_info claims ${size} bytes, which no type has`);
    return size;
  }
}

const VOID: CType = { kind: 'void' };

/** The integer a type is (an enum's underlying type), through typedefs and qualifiers. */
function concreteInt(type: CType): { size: number; signed: boolean } | undefined {
  let t = type;
  for (let depth = 0; depth < 64; depth++) {
    if (t.kind === 'typedef') t = t.target();
    else if (t.kind === 'qualified') t = t.target;
    else break;
  }
  if (t.kind === 'int' || t.kind === 'enum') return { size: t.size, signed: t.signed };
  if (t.kind === 'bool') return { size: t.size, signed: false };
  return undefined;
}

/** The storage unit of a DWARF 2 bitfield without DW_AT_byte_size: its type's size. */
function sizeOfStorage(type: CType): number {
  const t = concreteInt(type);
  if (t === undefined) throw new DwarfFormatError('a bitfield of a type that is not an integer');
  return t.size;
}
