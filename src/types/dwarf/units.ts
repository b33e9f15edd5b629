// .debug_info's units: the header of each (DWARF 2 to 5, 32- and 64-bit),
// found by hopping from one unit's length to the next. Types live in
// compile units (and partial units, and DWARF 5's type units, which
// DW_FORM_ref_sig8 names by signature).
import { ByteCursor } from './byte-cursor.ts';
import { DwarfFormatError } from './dwarf-error.ts';
import * as DW from './constants.ts';

export interface UnitHeader {
  /** Where its header starts in .debug_info. */
  readonly offset: number;
  /** The first byte after it. */
  readonly end: number;
  readonly version: number;
  /** DW_UT_compile, DW_UT_type, DW_UT_partial, … (DWARF 4 and older: DW_UT_compile). */
  readonly unitType: number;
  readonly addressSize: number;
  /** 4 in 32-bit DWARF, 8 in 64-bit. */
  readonly offsetSize: number;
  readonly abbrevOffset: number;
  /** Where its root DIE (DW_TAG_compile_unit, …) starts. */
  readonly rootOffset: number;
  /** A type unit's signature and the absolute offset of the type it defines. */
  readonly typeSignature: bigint | undefined;
  readonly typeOffset: number | undefined;
}

export function readUnitHeader(info: Uint8Array, offset: number): UnitHeader {
  const cursor = new ByteCursor(info, '.debug_info', offset);
  let length = cursor.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = cursor.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) throw new DwarfFormatError(`the unit at 0x${offset.toString(16)} of .debug_info has a reserved length 0x${length.toString(16)}`);
  const end = cursor.offset + length;
  if (end > info.length) throw new DwarfFormatError(`the unit at 0x${offset.toString(16)} of .debug_info claims ${length} bytes, past the section's end (${info.length} bytes: truncated?)`);
  const version = cursor.u16();
  if (version < 2 || version > 5) throw new DwarfFormatError(`the unit at 0x${offset.toString(16)} of .debug_info is DWARF version ${version}; pvm reads versions 2 to 5`);
  let unitType: number = DW.DW_UT_compile;
  let addressSize: number;
  let abbrevOffset: number;
  let typeSignature: bigint | undefined;
  let typeOffset: number | undefined;
  if (version >= 5) {
    unitType = cursor.u8();
    addressSize = cursor.u8();
    abbrevOffset = cursor.offsetOf(offsetSize);
    if (unitType === DW.DW_UT_skeleton || unitType === DW.DW_UT_split_compile) cursor.skip(8);
    else if (unitType === DW.DW_UT_type || unitType === DW.DW_UT_split_type) {
      typeSignature = cursor.u64Big();
      typeOffset = offset + cursor.offsetOf(offsetSize);
    } else if (unitType !== DW.DW_UT_compile && unitType !== DW.DW_UT_partial) {
      throw new DwarfFormatError(`the unit at 0x${offset.toString(16)} of .debug_info has an unknown unit type 0x${unitType.toString(16)}`);
    }
  } else {
    abbrevOffset = cursor.offsetOf(offsetSize);
    addressSize = cursor.u8();
  }
  if (addressSize !== 4 && addressSize !== 8) throw new DwarfFormatError(`the unit at 0x${offset.toString(16)} of .debug_info has an address size of ${addressSize}`);
  if (cursor.offset > end) throw new DwarfFormatError(`the unit at 0x${offset.toString(16)} of .debug_info is shorter than its own header`);
  if (typeOffset !== undefined && (typeOffset < cursor.offset || typeOffset >= end)) throw new DwarfFormatError(`the type unit at 0x${offset.toString(16)} of .debug_info names its type outside itself`);
  return { offset, end, version, unitType, addressSize, offsetSize, abbrevOffset, rootOffset: cursor.offset, typeSignature, typeOffset };
}

/** Every unit's header, in order. */
export function readUnitHeaders(info: Uint8Array): UnitHeader[] {
  const units: UnitHeader[] = [];
  for (let offset = 0; offset < info.length;) {
    const unit = readUnitHeader(info, offset);
    units.push(unit);
    offset = unit.end;
  }
  return units;
}
