// .debug_abbrev: each unit's table of abbreviations, which say a DIE's tag,
// whether it has children, and its attributes with their forms. A DIE is
// read only through its abbreviation, so a table is parsed once per unit
// shape and shared.
import { ByteCursor } from './byte-cursor.ts';
import { DwarfFormatError } from './dwarf-error.ts';
import * as DW from './constants.ts';

export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attributes: readonly number[];
  readonly forms: readonly number[];
  /** DW_FORM_implicit_const's values, by attribute index (the value lives here, not in the DIE); empty when it has none. */
  readonly implicit: readonly bigint[];
  /** The bytes its attributes take in a DIE when every form has a fixed size (a DIE is then skipped in one step), else -1. */
  readonly fixedSize: number;
}

/** What fixes the size of forms: the unit's address size, offset size (4 or 8) and version. */
export interface FormSizes {
  readonly addressSize: number;
  readonly offsetSize: number;
  readonly version: number;
}

const NO_IMPLICIT: bigint[] = [];

/** No unit's table needs more abbreviations than this (libc's largest: a few hundred). */
const MAX_CODE = 1 << 20;

/**
 * A unit's abbreviations, parsed only as far as the codes asked for: a
 * lookup that reads one typedef in each of a thousand units reads the start
 * of a thousand tables, not all of them.
 */
export class AbbrevTable {
  readonly #cursor: ByteCursor;
  readonly #start: number;
  readonly #sizes: FormSizes;
  readonly #byCode: (Abbrev | undefined)[] = [];
  /** Where the next abbreviation not yet parsed starts, or -1 once the table's end is reached. */
  #next: number;

  /** `cursor`: over .debug_abbrev, shared by every table (each moves it to where it left off). */
  constructor(cursor: ByteCursor, offset: number, sizes: FormSizes) {
    if (offset >= cursor.bytes.length) throw new DwarfFormatError(`a unit's abbreviations at 0x${offset.toString(16)} lie past the end of .debug_abbrev (${cursor.bytes.length} bytes)`);
    this.#cursor = cursor;
    this.#start = offset;
    this.#next = offset;
    this.#sizes = sizes;
  }

  /** The abbreviation numbered `code`, or undefined when the table has none. */
  get(code: number): Abbrev | undefined {
    const known = this.#byCode[code];
    if (known !== undefined || this.#next < 0) return known;
    for (;;) {
      const abbrev = this.#parseNext();
      if (abbrev === undefined) return undefined;
      if (abbrev.code === code) return abbrev;
    }
  }

  #parseNext(): Abbrev | undefined {
    const cursor = this.#cursor;
    cursor.offset = this.#next;
    const code = cursor.uleb();
    if (code === 0) {
      this.#next = -1;
      return undefined;
    }
    if (code > MAX_CODE) throw new DwarfFormatError(`abbreviation code ${code} at 0x${cursor.offset.toString(16)} in .debug_abbrev is beyond any real table`);
    const tag = cursor.uleb();
    const hasChildren = cursor.u8() !== 0;
    const attributes: number[] = [];
    const forms: number[] = [];
    let implicit: bigint[] = NO_IMPLICIT;
    let fixedSize = 0;
    for (;;) {
      const attribute = cursor.uleb();
      const form = cursor.uleb();
      if (attribute === 0 && form === 0) break;
      if (form === DW.DW_FORM_implicit_const) {
        if (implicit === NO_IMPLICIT) implicit = [];
        // Small in practice (a decl_line, a bit size): read as a number, as a BigInt only when it is not exact.
        const start = cursor.offset;
        const value = cursor.sleb();
        if (Number.isSafeInteger(value)) implicit[attributes.length] = BigInt(value);
        else {
          cursor.offset = start;
          implicit[attributes.length] = cursor.slebBig();
        }
      }
      attributes.push(attribute);
      forms.push(form);
      const size = fixedFormSize(form, this.#sizes);
      if (size === undefined) throw new DwarfFormatError(`unknown DWARF form 0x${form.toString(16)} in abbreviation ${code} at 0x${cursor.offset.toString(16)} of .debug_abbrev`);
      fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
    }
    if (this.#byCode[code] !== undefined) throw new DwarfFormatError(`abbreviation code ${code} is defined twice in the table at 0x${this.#start.toString(16)} of .debug_abbrev`);
    const abbrev: Abbrev = { code, tag, hasChildren, attributes, forms, implicit, fixedSize };
    this.#byCode[code] = abbrev;
    this.#next = cursor.offset;
    return abbrev;
  }
}

/** The bytes a form's value takes in a DIE: a number, -1 when it varies (LEB128, strings, blocks), undefined for a form this reader does not know. */
export function fixedFormSize(form: number, sizes: FormSizes): number | undefined {
  switch (form) {
    case DW.DW_FORM_flag_present:
    case DW.DW_FORM_implicit_const:
      return 0;
    case DW.DW_FORM_data1:
    case DW.DW_FORM_ref1:
    case DW.DW_FORM_flag:
    case DW.DW_FORM_strx1:
    case DW.DW_FORM_addrx1:
      return 1;
    case DW.DW_FORM_data2:
    case DW.DW_FORM_ref2:
    case DW.DW_FORM_strx2:
    case DW.DW_FORM_addrx2:
      return 2;
    case DW.DW_FORM_strx3:
    case DW.DW_FORM_addrx3:
      return 3;
    case DW.DW_FORM_data4:
    case DW.DW_FORM_ref4:
    case DW.DW_FORM_ref_sup4:
    case DW.DW_FORM_strx4:
    case DW.DW_FORM_addrx4:
      return 4;
    case DW.DW_FORM_data8:
    case DW.DW_FORM_ref8:
    case DW.DW_FORM_ref_sig8:
    case DW.DW_FORM_ref_sup8:
      return 8;
    case DW.DW_FORM_data16:
      return 16;
    case DW.DW_FORM_addr:
      return sizes.addressSize;
    case DW.DW_FORM_ref_addr:
      return sizes.version <= 2 ? sizes.addressSize : sizes.offsetSize;
    case DW.DW_FORM_strp:
    case DW.DW_FORM_line_strp:
    case DW.DW_FORM_sec_offset:
    case DW.DW_FORM_strp_sup:
    case DW.DW_FORM_GNU_ref_alt:
    case DW.DW_FORM_GNU_strp_alt:
      return sizes.offsetSize;
    case DW.DW_FORM_udata:
    case DW.DW_FORM_sdata:
    case DW.DW_FORM_ref_udata:
    case DW.DW_FORM_strx:
    case DW.DW_FORM_addrx:
    case DW.DW_FORM_loclistx:
    case DW.DW_FORM_rnglistx:
    case DW.DW_FORM_GNU_addr_index:
    case DW.DW_FORM_GNU_str_index:
    case DW.DW_FORM_string:
    case DW.DW_FORM_block:
    case DW.DW_FORM_block1:
    case DW.DW_FORM_block2:
    case DW.DW_FORM_block4:
    case DW.DW_FORM_exprloc:
    case DW.DW_FORM_indirect:
      return -1;
    default:
      return undefined;
  }
}
