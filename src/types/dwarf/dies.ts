// Debugging information entries: a DIE read at an offset of .debug_info,
// through its unit's abbreviations, into the few attributes C types need
// (every other attribute is skipped by its form). References come out as
// absolute offsets in .debug_info, names as strings, whatever their forms
// (inline, .debug_str, .debug_line_str, or DWARF 5's string offsets).
import { type Abbrev, AbbrevTable, fixedFormSize } from './abbrev.ts';
import { ByteCursor, stringAt } from './byte-cursor.ts';
import type { DebugSections } from './debug-sections.ts';
import { DwarfFormatError } from './dwarf-error.ts';
import * as DW from './constants.ts';
import { readUnitHeader, readUnitHeaders, type UnitHeader } from './units.ts';

/** A unit being read: its header, its abbreviations, and its base into .debug_str_offsets. */
export interface Unit extends UnitHeader {
  readonly abbrevs: AbbrevTable;
  strOffsetsBase: number | undefined;
}

export interface Die {
  readonly offset: number;
  readonly unit: Unit;
  readonly tag: number;
  readonly hasChildren: boolean;
  /** Just past its attributes: its first child when it has children, else its next sibling. */
  readonly attributesEnd: number;
  name: string | undefined;
  /** DW_AT_type, as an absolute offset in .debug_info. */
  type: number | undefined;
  /** DW_AT_signature: the type lives in a type unit of this signature. */
  signature: bigint | undefined;
  sibling: number | undefined;
  declaration: boolean;
  byteSize: number | undefined;
  bitSize: number | undefined;
  bitOffset: number | undefined;
  dataBitOffset: number | undefined;
  memberLocation: number | undefined;
  encoding: number | undefined;
  count: number | undefined;
  upperBound: number | undefined;
  lowerBound: number | undefined;
  /** A bound that is not a constant (a variable length array): its length is not in the type. */
  dynamicBound: boolean;
  /** DW_AT_const_value as its bits, and how many bytes a dataN form gave them (0: sdata, udata or implicit, already exact). */
  constValue: bigint | undefined;
  constWidth: number;
}

/** No DIE has more attributes' worth of indirection than this. */
const MAX_INDIRECT = 8;

export class DieReader {
  readonly info: Uint8Array;
  readonly #sections: DebugSections;
  readonly #abbrevs = new Map<string, AbbrevTable>();
  readonly #units = new Map<number, Unit>();
  readonly #strings = new Map<number, string>();
  readonly #lineStrings = new Map<number, string>();
  #headers: UnitHeader[] | undefined;
  #typeUnits: Map<bigint, number> | undefined;
  readonly #cursor: ByteCursor;
  #abbrevCursor: ByteCursor | undefined;

  constructor(sections: DebugSections) {
    this.#sections = sections;
    this.info = sections.require('.debug_info');
    this.#cursor = new ByteCursor(this.info, '.debug_info');
  }

  /** Every unit's header, in order (read once). */
  headers(): readonly UnitHeader[] {
    return this.#headers ??= readUnitHeaders(this.info);
  }

  /**
   * The unit whose header starts at `offset`, ready to read. `keep`: false
   * for a walk over every unit, which reads each once and should not hold
   * them all (their abbreviations are most of a debug file's weight).
   */
  unit(offset: number, keep = true): Unit {
    let unit = this.#units.get(offset);
    if (unit === undefined) {
      const header = readUnitHeader(this.info, offset);
      const key = `${header.abbrevOffset}:${header.addressSize}:${header.offsetSize}:${header.version}`;
      let abbrevs = this.#abbrevs.get(key);
      if (abbrevs === undefined) {
        abbrevs = new AbbrevTable(this.#abbrevCursor ??= new ByteCursor(this.#sections.require('.debug_abbrev'), '.debug_abbrev'), header.abbrevOffset, header);
        if (keep) this.#abbrevs.set(key, abbrevs);
      }
      const ready: Unit = { ...header, abbrevs, strOffsetsBase: undefined };
      // The root DIE may hold DW_AT_str_offsets_base, which the unit's strx names need (read sets it).
      if (this.abbrevAt(ready, this.#at(ready.rootOffset))?.attributes.includes(DW.DW_AT_str_offsets_base)) this.read(ready, ready.rootOffset);
      if (keep) this.#units.set(offset, ready);
      unit = ready;
    }
    return unit;
  }

  /** The unit that holds the DIE at `offset` (for a reference across units); `keep` as for `unit`. */
  unitHolding(offset: number, keep = true): Unit {
    const headers = this.headers();
    let low = 0;
    let high = headers.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const header = headers[middle]!;
      if (offset < header.offset) high = middle - 1;
      else if (offset >= header.end) low = middle + 1;
      else return this.unit(header.offset, keep);
    }
    throw new DwarfFormatError(`a reference to 0x${offset.toString(16)} points outside every unit of .debug_info`);
  }

  /** The type a DW_FORM_ref_sig8 signature names: where its type unit's type DIE is. */
  typeUnitType(signature: bigint): number {
    if (this.#typeUnits === undefined) {
      this.#typeUnits = new Map();
      for (const header of this.headers()) if (header.typeSignature !== undefined && header.typeOffset !== undefined) this.#typeUnits.set(header.typeSignature, header.typeOffset);
    }
    const found = this.#typeUnits.get(signature);
    if (found === undefined) throw new DwarfFormatError(`no type unit in .debug_info has signature 0x${signature.toString(16)} (DWARF 4's .debug_types is not read)`);
    return found;
  }

  /** The abbreviation of the DIE at `offset` in `unit`, or undefined for a null entry (the end of a list of children). */
  abbrevAt(unit: Unit, cursor: ByteCursor): Abbrev | undefined {
    if (cursor.offset >= unit.end) throw new DwarfFormatError(`a DIE at 0x${cursor.offset.toString(16)} lies past the end of its unit (0x${unit.offset.toString(16)}-0x${unit.end.toString(16)}) in .debug_info`);
    const code = cursor.uleb();
    if (code === 0) return undefined;
    const abbrev = unit.abbrevs.get(code);
    if (abbrev === undefined) throw new DwarfFormatError(`the DIE at 0x${(cursor.offset - 1).toString(16)} of .debug_info uses abbreviation ${code}, which its unit's table does not define`);
    return abbrev;
  }

  /** The tag of the DIE at `offset`, or 0 for a null entry. */
  tagAt(unit: Unit, offset: number): number {
    return this.abbrevAt(unit, this.#at(offset))?.tag ?? 0;
  }

  /**
   * The DIE at `offset` (in `unit`), with the attributes types need, or
   * undefined for a null entry. `into`: a Die to fill instead of a new one
   * (a walk over every unit reads hundreds of thousands).
   */
  read(unit: Unit, offset: number, into?: Die): Die | undefined {
    const cursor = this.#at(offset);
    if (offset < unit.rootOffset) throw new DwarfFormatError(`a reference to 0x${offset.toString(16)} points into the header of the unit at 0x${unit.offset.toString(16)}`);
    const abbrev = this.abbrevAt(unit, cursor);
    if (abbrev === undefined) return undefined;
    const die = into === undefined ? emptyDie(unit) : clear(into, unit);
    const writable = die as { -readonly [K in keyof Die]: Die[K] };
    writable.offset = offset;
    writable.tag = abbrev.tag;
    writable.hasChildren = abbrev.hasChildren;
    let nameForm = 0;
    let nameValue = 0;
    const { attributes, forms } = abbrev;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i]!;
      let form = forms[i]!;
      for (let n = 0; form === DW.DW_FORM_indirect; n++) {
        if (n > MAX_INDIRECT) throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info nests DW_FORM_indirect`);
        form = cursor.uleb();
      }
      const at = cursor.offset;
      switch (attribute) {
        case DW.DW_AT_name:
          nameForm = form;
          nameValue = this.#stringReference(cursor, unit, form, offset);
          break;
        case DW.DW_AT_type:
          if (form === DW.DW_FORM_ref_sig8) die.signature = cursor.u64Big();
          else die.type = this.#reference(cursor, unit, form, offset);
          break;
        case DW.DW_AT_sibling:
          die.sibling = this.#reference(cursor, unit, form, offset);
          break;
        case DW.DW_AT_signature:
          if (form !== DW.DW_FORM_ref_sig8) throw this.#badForm(attribute, form, offset);
          die.signature = cursor.u64Big();
          break;
        case DW.DW_AT_declaration:
          die.declaration = form === DW.DW_FORM_flag_present ? true : form === DW.DW_FORM_flag ? cursor.u8() !== 0 : this.#skipForm(cursor, unit, form, offset) !== 0;
          break;
        case DW.DW_AT_byte_size:
          die.byteSize = this.#constant(cursor, abbrev, i, form, offset, attribute);
          break;
        case DW.DW_AT_bit_size:
          die.bitSize = this.#constant(cursor, abbrev, i, form, offset, attribute);
          break;
        case DW.DW_AT_bit_offset:
          die.bitOffset = this.#constant(cursor, abbrev, i, form, offset, attribute);
          break;
        case DW.DW_AT_data_bit_offset:
          die.dataBitOffset = this.#constant(cursor, abbrev, i, form, offset, attribute);
          break;
        case DW.DW_AT_encoding:
          die.encoding = this.#constant(cursor, abbrev, i, form, offset, attribute);
          break;
        case DW.DW_AT_count:
        case DW.DW_AT_upper_bound:
        case DW.DW_AT_lower_bound: {
          const value = isConstantForm(form) ? this.#constant(cursor, abbrev, i, form, offset, attribute) : undefined;
          if (value === undefined) {
            this.#skipForm(cursor, unit, form, offset);
            die.dynamicBound = true;
          } else if (attribute === DW.DW_AT_count) die.count = value;
          else if (attribute === DW.DW_AT_upper_bound) die.upperBound = value;
          else die.lowerBound = value;
          break;
        }
        case DW.DW_AT_data_member_location:
          die.memberLocation = isConstantForm(form) ? this.#constant(cursor, abbrev, i, form, offset, attribute) : this.#locationExpression(cursor, form, offset);
          break;
        case DW.DW_AT_const_value:
          this.#constValue(cursor, abbrev, i, form, die);
          break;
        case DW.DW_AT_str_offsets_base:
          // An offset into .debug_str_offsets: DW_FORM_sec_offset, as clang writes it.
          unit.strOffsetsBase = form === DW.DW_FORM_sec_offset ? cursor.offsetOf(unit.offsetSize) : this.#constant(cursor, abbrev, i, form, offset, attribute);
          break;
        default:
          this.#skipForm(cursor, unit, form, offset);
      }
      if (cursor.offset > unit.end) throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info runs past the end of its unit (an attribute at 0x${at.toString(16)})`);
    }
    writable.attributesEnd = cursor.offset;
    if (nameForm !== 0) die.name = this.#string(unit, nameForm, nameValue, offset);
    return die;
  }

  /** The offset just past the DIE at `offset` and all its children: its next sibling. */
  skipDie(unit: Unit, die: Die): number {
    if (!die.hasChildren) return die.attributesEnd;
    if (die.sibling !== undefined) {
      if (die.sibling <= die.offset || die.sibling > unit.end) throw new DwarfFormatError(`the DIE at 0x${die.offset.toString(16)} of .debug_info names a sibling at 0x${die.sibling.toString(16)}, not after it in its unit`);
      return die.sibling;
    }
    return this.skipChildren(unit, die.attributesEnd);
  }

  /** The offset just past the DIE at `offset` and its children, without decoding what it says; undefined for a null entry. */
  skipEntry(unit: Unit, offset: number): number | undefined {
    const cursor = this.#at(offset);
    const abbrev = this.abbrevAt(unit, cursor);
    if (abbrev === undefined) return undefined;
    const sibling = this.#skipAttributes(cursor, unit, abbrev);
    if (!abbrev.hasChildren) return cursor.offset;
    return sibling ?? this.skipChildren(unit, cursor.offset);
  }

  /**
   * Past a list of sibling DIEs starting at `offset` (to its null entry),
   * without decoding what they say: only their sizes and DW_AT_sibling.
   */
  skipChildren(unit: Unit, offset: number): number {
    const cursor = this.#at(offset);
    let depth = 1;
    while (depth > 0) {
      const abbrev = this.abbrevAt(unit, cursor);
      if (abbrev === undefined) {
        depth--;
        continue;
      }
      const sibling = this.#skipAttributes(cursor, unit, abbrev);
      if (abbrev.hasChildren) {
        if (sibling !== undefined) cursor.offset = sibling;
        else depth++;
      }
    }
    return cursor.offset;
  }

  /** Skips a DIE's attributes (the cursor is past its code); returns its DW_AT_sibling when it has one that is usable. */
  #skipAttributes(cursor: ByteCursor, unit: Unit, abbrev: Abbrev): number | undefined {
    const start = cursor.offset;
    if (abbrev.fixedSize >= 0 && !abbrev.hasChildren) {
      cursor.skip(abbrev.fixedSize);
      if (cursor.offset > unit.end) throw new DwarfFormatError(`a DIE near 0x${start.toString(16)} of .debug_info runs past the end of its unit`);
      return undefined;
    }
    let sibling: number | undefined;
    const { forms, attributes } = abbrev;
    for (let i = 0; i < forms.length; i++) {
      let form = forms[i]!;
      for (let n = 0; form === DW.DW_FORM_indirect; n++) {
        if (n > MAX_INDIRECT) throw new DwarfFormatError(`a DIE near 0x${start.toString(16)} of .debug_info nests DW_FORM_indirect`);
        form = cursor.uleb();
      }
      if (attributes[i] === DW.DW_AT_sibling && form !== DW.DW_FORM_ref_addr) sibling = this.#reference(cursor, unit, form, start);
      else this.#skipForm(cursor, unit, form, start);
    }
    if (cursor.offset > unit.end) throw new DwarfFormatError(`a DIE near 0x${start.toString(16)} of .debug_info runs past the end of its unit`);
    return sibling !== undefined && sibling > cursor.offset && sibling <= unit.end ? sibling : undefined;
  }

  /** The reader's one cursor over .debug_info, moved to `offset` (a DataView per read would cost more than the read). */
  #at(offset: number): ByteCursor {
    this.#cursor.offset = offset;
    return this.#cursor;
  }

  #badForm(attribute: number, form: number, offset: number): DwarfFormatError {
    return new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info gives attribute 0x${attribute.toString(16)} in form 0x${form.toString(16)}, which it cannot have`);
  }

  /** A reference as an absolute offset in .debug_info. */
  #reference(cursor: ByteCursor, unit: Unit, form: number, offset: number): number {
    let relative: number;
    switch (form) {
      case DW.DW_FORM_ref1:
        relative = cursor.u8();
        break;
      case DW.DW_FORM_ref2:
        relative = cursor.u16();
        break;
      case DW.DW_FORM_ref4:
        relative = cursor.u32();
        break;
      case DW.DW_FORM_ref8:
        relative = cursor.u64();
        break;
      case DW.DW_FORM_ref_udata:
        relative = cursor.uleb();
        break;
      case DW.DW_FORM_ref_addr: {
        const target = cursor.offsetOf(unit.version <= 2 ? unit.addressSize : unit.offsetSize);
        if (target >= this.info.length) throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info refers to 0x${target.toString(16)}, past the section's end`);
        return target;
      }
      case DW.DW_FORM_GNU_ref_alt:
      case DW.DW_FORM_ref_sup4:
      case DW.DW_FORM_ref_sup8:
        throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info refers into a supplementary (dwz) file, which pvm does not read`);
      default:
        throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info gives a reference in form 0x${form.toString(16)}`);
    }
    const target = unit.offset + relative;
    if (target >= unit.end) throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info refers to 0x${target.toString(16)}, outside its unit`);
    return target;
  }

  /** A constant attribute as a number (sizes, offsets, bounds); all-ones in 4 or 8 bytes is -1 (an empty array's upper bound). */
  #constant(cursor: ByteCursor, abbrev: Abbrev, index: number, form: number, offset: number, attribute: number): number {
    switch (form) {
      case DW.DW_FORM_data1:
        return cursor.u8();
      case DW.DW_FORM_data2:
        return cursor.u16();
      case DW.DW_FORM_data4: {
        const value = cursor.u32();
        return value === 0xffffffff ? -1 : value;
      }
      case DW.DW_FORM_data8: {
        const value = cursor.u64Big();
        return value === 0xffffffffffffffffn ? -1 : Number(value);
      }
      case DW.DW_FORM_udata:
        return cursor.uleb();
      case DW.DW_FORM_sdata:
        return cursor.sleb();
      case DW.DW_FORM_implicit_const:
        return Number(abbrev.implicit[index] ?? 0n);
      default:
        throw this.#badForm(attribute, form, offset);
    }
  }

  #constValue(cursor: ByteCursor, abbrev: Abbrev, index: number, form: number, die: Die): void {
    die.constWidth = 0;
    switch (form) {
      case DW.DW_FORM_data1:
        die.constValue = BigInt(cursor.u8());
        die.constWidth = 1;
        return;
      case DW.DW_FORM_data2:
        die.constValue = BigInt(cursor.u16());
        die.constWidth = 2;
        return;
      case DW.DW_FORM_data4:
        die.constValue = BigInt(cursor.u32());
        die.constWidth = 4;
        return;
      case DW.DW_FORM_data8:
        die.constValue = cursor.u64Big();
        die.constWidth = 8;
        return;
      case DW.DW_FORM_udata:
        die.constValue = cursor.ulebBig();
        return;
      case DW.DW_FORM_sdata:
        die.constValue = cursor.slebBig();
        return;
      case DW.DW_FORM_implicit_const:
        die.constValue = abbrev.implicit[index] ?? 0n;
        return;
      default:
        this.#skipForm(cursor, die.unit, form, die.offset); // a block or a string: no enumerator has one
    }
  }

  /** DWARF 2's member location: an expression, which for a C member is DW_OP_plus_uconst N. */
  #locationExpression(cursor: ByteCursor, form: number, offset: number): number {
    const length = form === DW.DW_FORM_block1 ? cursor.u8() : form === DW.DW_FORM_block2 ? cursor.u16() : form === DW.DW_FORM_block4 ? cursor.u32() : form === DW.DW_FORM_exprloc || form === DW.DW_FORM_block ? cursor.uleb() : -1;
    if (length < 0) throw this.#badForm(DW.DW_AT_data_member_location, form, offset);
    const end = cursor.offset + length;
    cursor.need(length);
    const op = length > 0 ? cursor.u8() : -1;
    if ((op === DW.DW_OP_plus_uconst || op === DW.DW_OP_constu) && cursor.offset < end) {
      const value = cursor.uleb();
      if (cursor.offset === end) return value;
    }
    throw new DwarfFormatError(`the member at 0x${offset.toString(16)} of .debug_info has a location expression pvm does not evaluate (only DW_OP_plus_uconst N)`);
  }

  /** Where a name's string lies, read from the DIE now; the string is made once the DIE's attributes are all read. */
  #stringReference(cursor: ByteCursor, unit: Unit, form: number, offset: number): number {
    switch (form) {
      case DW.DW_FORM_string:
        return cursor.skipString();
      case DW.DW_FORM_strp:
      case DW.DW_FORM_line_strp:
        return cursor.offsetOf(unit.offsetSize);
      case DW.DW_FORM_strx:
      case DW.DW_FORM_GNU_str_index:
        return cursor.uleb();
      case DW.DW_FORM_strx1:
        return cursor.u8();
      case DW.DW_FORM_strx2:
        return cursor.u16();
      case DW.DW_FORM_strx3:
        return cursor.u24();
      case DW.DW_FORM_strx4:
        return cursor.u32();
      case DW.DW_FORM_strp_sup:
      case DW.DW_FORM_GNU_strp_alt:
        throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info has its name in a supplementary (dwz) file, which pvm does not read`);
      default:
        throw this.#badForm(DW.DW_AT_name, form, offset);
    }
  }

  #string(unit: Unit, form: number, value: number, offset: number): string {
    switch (form) {
      case DW.DW_FORM_string:
        return stringAt(this.info, value, '.debug_info');
      case DW.DW_FORM_strp:
        return this.#strp(value);
      case DW.DW_FORM_line_strp: {
        let text = this.#lineStrings.get(value);
        if (text === undefined) {
          text = stringAt(this.#sections.require('.debug_line_str'), value, '.debug_line_str');
          this.#lineStrings.set(value, text);
        }
        return text;
      }
      default: {
        // strx: an index into the unit's slice of .debug_str_offsets (after its 8-byte header when no base is given).
        const offsets = this.#sections.require('.debug_str_offsets');
        const at = (unit.strOffsetsBase ?? (unit.offsetSize === 8 ? 16 : 8)) + value * unit.offsetSize;
        if (at < 0 || at + unit.offsetSize > offsets.length) throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info names string index ${value}, past the end of .debug_str_offsets`);
        const view = new DataView(offsets.buffer, offsets.byteOffset, offsets.byteLength);
        const strp = unit.offsetSize === 8 ? Number(view.getBigUint64(at, true)) : view.getUint32(at, true);
        return this.#strp(strp);
      }
    }
  }

  #strp(offset: number): string {
    let text = this.#strings.get(offset);
    if (text === undefined) {
      text = stringAt(this.#sections.require('.debug_str'), offset, '.debug_str');
      this.#strings.set(offset, text);
    }
    return text;
  }

  /** Skips a value of `form`; returns it when it is a small constant (for a flag given as data). */
  #skipForm(cursor: ByteCursor, unit: Unit, form: number, offset: number): number {
    // Forms of a fixed size: their sizes are abbrev.ts's, the one table of them.
    const size = fixedFormSize(form, unit);
    if (size !== undefined && size >= 0) {
      switch (size) {
        case 0:
          return 0;
        case 1:
          return cursor.u8();
        case 2:
          return cursor.u16();
        case 3:
          return cursor.u24();
        case 4:
          return cursor.u32();
        default:
          cursor.skip(size);
          return 0;
      }
    }
    switch (form) {
      case DW.DW_FORM_udata:
      case DW.DW_FORM_ref_udata:
      case DW.DW_FORM_strx:
      case DW.DW_FORM_addrx:
      case DW.DW_FORM_loclistx:
      case DW.DW_FORM_rnglistx:
      case DW.DW_FORM_GNU_addr_index:
      case DW.DW_FORM_GNU_str_index:
        return cursor.uleb();
      case DW.DW_FORM_sdata:
        return cursor.sleb();
      case DW.DW_FORM_string:
        cursor.skipString();
        return 0;
      case DW.DW_FORM_block1:
        cursor.skip(cursor.u8());
        return 0;
      case DW.DW_FORM_block2:
        cursor.skip(cursor.u16());
        return 0;
      case DW.DW_FORM_block4:
        cursor.skip(cursor.u32());
        return 0;
      case DW.DW_FORM_block:
      case DW.DW_FORM_exprloc:
        cursor.skip(cursor.uleb());
        return 0;
      default:
        throw new DwarfFormatError(`the DIE at 0x${offset.toString(16)} of .debug_info uses an unknown DWARF form 0x${form.toString(16)}`);
    }
  }
}

/** A Die with nothing read into it yet. */
export function emptyDie(unit: Unit): Die {
  return {
    offset: 0,
    unit,
    tag: 0,
    hasChildren: false,
    attributesEnd: 0,
    name: undefined,
    type: undefined,
    signature: undefined,
    sibling: undefined,
    declaration: false,
    byteSize: undefined,
    bitSize: undefined,
    bitOffset: undefined,
    dataBitOffset: undefined,
    memberLocation: undefined,
    encoding: undefined,
    count: undefined,
    upperBound: undefined,
    lowerBound: undefined,
    dynamicBound: false,
    constValue: undefined,
    constWidth: 0,
  };
}

function clear(die: Die, unit: Unit): Die {
  (die as { unit: Unit }).unit = unit;
  die.name = undefined;
  die.type = undefined;
  die.signature = undefined;
  die.sibling = undefined;
  die.declaration = false;
  die.byteSize = undefined;
  die.bitSize = undefined;
  die.bitOffset = undefined;
  die.dataBitOffset = undefined;
  die.memberLocation = undefined;
  die.encoding = undefined;
  die.count = undefined;
  die.upperBound = undefined;
  die.lowerBound = undefined;
  die.dynamicBound = false;
  die.constValue = undefined;
  die.constWidth = 0;
  return die;
}

function isConstantForm(form: number): boolean {
  return form === DW.DW_FORM_data1 || form === DW.DW_FORM_data2 || form === DW.DW_FORM_data4 || form === DW.DW_FORM_data8 || form === DW.DW_FORM_udata || form === DW.DW_FORM_sdata || form === DW.DW_FORM_implicit_const;
}
