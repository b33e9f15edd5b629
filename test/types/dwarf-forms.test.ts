// The forms gcc does not write for the fixture but other producers do
// (clang's DW_FORM_strx* with DW_AT_str_offsets_base, ref_udata, ref_addr
// across units, DW_FORM_indirect, implicit_const, data16 and blocks to skip,
// 64-bit DWARF, DWARF 2's bit offsets and location expressions), in DWARF
// written here byte by byte.
import { describe, expect, it } from 'vitest';
import type { ElfFile } from '../../src/native/elf.ts';
import { concrete, findMember, spell } from '../../src/types/ctype.ts';
import { openDebugTypes } from '../../src/types/dwarf/debug-types.ts';
import * as DW from '../../src/types/dwarf/constants.ts';

/** Little-endian bytes, with labels and references to them patched in at the end. */
class Writer {
  readonly bytes: number[] = [];
  readonly labels = new Map<string, number>();
  readonly #patches: { at: number; size: number; label: string; base: number }[] = [];

  get offset(): number {
    return this.bytes.length;
  }
  u8(...values: number[]): this {
    this.bytes.push(...values);
    return this;
  }
  int(value: number | bigint, size: number): this {
    let v = BigInt(value);
    for (let i = 0; i < size; i++, v >>= 8n) this.bytes.push(Number(v & 0xffn));
    return this;
  }
  uleb(value: number): this {
    do {
      const byte = value & 0x7f;
      value = Math.floor(value / 128);
      this.bytes.push(value > 0 ? byte | 0x80 : byte);
    } while (value > 0);
    return this;
  }
  sleb(value: number): this {
    for (;;) {
      const byte = value & 0x7f;
      value >>= 7;
      if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return this.u8(byte);
      this.u8(byte | 0x80);
    }
  }
  string(text: string): this {
    return this.u8(...new TextEncoder().encode(text), 0);
  }
  label(name: string): this {
    this.labels.set(name, this.offset);
    return this;
  }
  /** A reference to `label`, `size` bytes, relative to `base` (a unit's start; 0 for an absolute ref_addr). */
  ref(label: string, size: number, base = 0): this {
    this.#patches.push({ at: this.offset, size, label, base });
    return this.int(0, size);
  }
  done(): Uint8Array {
    for (const { at, size, label, base } of this.#patches) {
      const target = this.labels.get(label);
      if (target === undefined) throw new Error(`no label ${label}`);
      let v = BigInt(target - base);
      for (let i = 0; i < size; i++, v >>= 8n) this.bytes[at + i] = Number(v & 0xffn);
    }
    return Uint8Array.from(this.bytes);
  }
}

function abbrev(w: Writer, code: number, tag: number, children: boolean, attributes: [number, number, number?][]): void {
  w.uleb(code).uleb(tag).u8(children ? 1 : 0);
  for (const [attribute, form, implicit] of attributes) {
    w.uleb(attribute).uleb(form);
    if (form === DW.DW_FORM_implicit_const) w.sleb(implicit!);
  }
  w.uleb(0).uleb(0);
}

function sections(): Map<string, Uint8Array> {
  const strings = ['unit.c', 'int', 's', 'a', 'b', 'c', 'p_t'];
  const str = new Writer();
  const at = new Map<string, number>();
  for (const s of strings) {
    at.set(s, str.offset);
    str.string(s);
  }
  // .debug_str_offsets: a DWARF 5 header (length, version 5, padding), then one offset per string.
  const offsets = new Writer().int(4 + 4 * strings.length, 4).int(5, 2).int(0, 2);
  for (const s of strings) offsets.int(at.get(s)!, 4);
  const lineStr = new Writer().string('t');

  const abbrevs = new Writer();
  abbrev(abbrevs, 1, DW.DW_TAG_compile_unit, true, [[DW.DW_AT_str_offsets_base, DW.DW_FORM_sec_offset], [DW.DW_AT_name, DW.DW_FORM_strx1]]);
  abbrev(abbrevs, 2, DW.DW_TAG_base_type, false, [[DW.DW_AT_name, DW.DW_FORM_strx1], [DW.DW_AT_byte_size, DW.DW_FORM_data1], [DW.DW_AT_encoding, DW.DW_FORM_data1]]);
  abbrev(abbrevs, 3, DW.DW_TAG_structure_type, true, [[DW.DW_AT_name, DW.DW_FORM_strx2], [DW.DW_AT_byte_size, DW.DW_FORM_implicit_const, 16]]);
  abbrev(abbrevs, 4, DW.DW_TAG_member, false, [[DW.DW_AT_name, DW.DW_FORM_strx3], [DW.DW_AT_type, DW.DW_FORM_ref4], [DW.DW_AT_data_member_location, DW.DW_FORM_udata]]);
  abbrev(abbrevs, 5, DW.DW_TAG_member, false, [
    [DW.DW_AT_name, DW.DW_FORM_strx4],
    [DW.DW_AT_type, DW.DW_FORM_ref_udata],
    [DW.DW_AT_data_member_location, DW.DW_FORM_exprloc],
    [DW.DW_AT_byte_size, DW.DW_FORM_data1],
    [DW.DW_AT_bit_size, DW.DW_FORM_data1],
    [DW.DW_AT_bit_offset, DW.DW_FORM_data1],
  ]);
  abbrev(abbrevs, 6, DW.DW_TAG_member, false, [[DW.DW_AT_name, DW.DW_FORM_indirect], [DW.DW_AT_type, DW.DW_FORM_indirect], [DW.DW_AT_data_member_location, DW.DW_FORM_sdata], [0x3a, DW.DW_FORM_data16], [0x02, DW.DW_FORM_block]]);
  abbrev(abbrevs, 7, DW.DW_TAG_typedef, false, [[DW.DW_AT_name, DW.DW_FORM_line_strp], [DW.DW_AT_type, DW.DW_FORM_ref_addr]]);
  abbrevs.uleb(0);
  const secondTable = abbrevs.offset;
  abbrev(abbrevs, 1, DW.DW_TAG_compile_unit, true, [[DW.DW_AT_name, DW.DW_FORM_string]]);
  abbrev(abbrevs, 2, DW.DW_TAG_pointer_type, false, [[DW.DW_AT_type, DW.DW_FORM_ref_addr], [DW.DW_AT_byte_size, DW.DW_FORM_data1]]);
  abbrev(abbrevs, 3, DW.DW_TAG_typedef, false, [[DW.DW_AT_name, DW.DW_FORM_strp], [DW.DW_AT_type, DW.DW_FORM_ref4]]);
  abbrevs.uleb(0);

  const info = new Writer();
  // Unit 1: 32-bit DWARF 5.
  info.label('u1').ref('u1-end', 4, 4).int(5, 2).u8(DW.DW_UT_compile, 8).int(0, 4);
  info.u8(1).int(8, 4).u8(0); // root: str_offsets_base 8, name strx1 0 (unit.c)
  info.label('int').u8(2).u8(1, 4, DW.DW_ATE_signed);
  info.label('s').u8(3).int(2, 2);
  info.u8(4).int(3, 3).ref('int', 4, info.labels.get('u1')).uleb(0); // a: int at 0
  info.u8(5).int(4, 4).uleb(info.labels.get('int')! - info.labels.get('u1')!).uleb(2).u8(DW.DW_OP_plus_uconst, 8).u8(4, 5, 3); // b: 5 bits, DWARF 2 style, in the int at 8
  info.u8(6).uleb(DW.DW_FORM_strx).uleb(5).uleb(DW.DW_FORM_ref4).ref('int', 4, info.labels.get('u1')).sleb(12).int(0, 16).uleb(3).u8(1, 2, 3); // c: int at 12
  info.u8(0); // end of s's members
  info.u8(7).int(0, 4).ref('s', 4); // typedef t: struct s, by ref_addr
  info.u8(0); // end of the unit's children
  info.label('u1-end');
  // Unit 2: 64-bit DWARF 4, referring into unit 1.
  info.label('u2').int(0xffffffff, 4).ref('u2-end', 8, info.offset + 8).int(4, 2).int(secondTable, 8).u8(8);
  info.u8(1).string('other.c');
  info.label('pointer').u8(2).ref('s', 8).u8(8);
  info.u8(3).int(at.get('p_t')!, 8).ref('pointer', 4, info.labels.get('u2'));
  info.u8(0);
  info.label('u2-end');

  return new Map([
    ['.debug_info', info.done()],
    ['.debug_abbrev', abbrevs.done()],
    ['.debug_str', str.done()],
    ['.debug_str_offsets', offsets.done()],
    ['.debug_line_str', lineStr.done()],
  ]);
}

function fileOf(map: Map<string, Uint8Array>): Pick<ElfFile, 'buildId' | 'section'> {
  return { buildId: undefined, section: (name) => (map.has(name) ? { flags: 0, size: map.get(name)!.length, read: () => map.get(name)! } : undefined) };
}

describe('DWARF forms beyond what gcc writes for the fixture', () => {
  const types = openDebugTypes('/handmade', fileOf(sections()), { cacheDirectory: undefined });

  it('names types from strx1 to strx4, indirect forms and .debug_line_str', () => {
    expect(types.names().sort()).toEqual(['int', 'p_t', 'struct s', 't']);
  });

  it('lays out members from udata, a DWARF 2 location expression and bit offset, and sdata, skipping data16 and blocks', () => {
    const s = concrete(types.find({ tag: 'struct', name: 's' })[0]!);
    if (s.kind !== 'struct') throw new Error('not a struct');
    expect(s.size).toBe(16);
    expect(s.members.map((m) => [m.name, m.offset, m.bitOffset, m.bitSize, spell(m.type)])).toEqual([
      ['a', 0, undefined, undefined, 'int'],
      ['b', 11, 0, 5, 'int'], // 8 * 8 + 32 - 3 - 5 = bit 88
      ['c', 12, undefined, undefined, 'int'],
    ]);
  });

  it('follows ref_addr across units, from a 64-bit DWARF 4 unit into a DWARF 5 one', () => {
    expect(concrete(types.find({ tag: undefined, name: 't' })[0]!)).toMatchObject({ kind: 'struct', name: 's', size: 16 });
    const pointer = concrete(types.find({ tag: undefined, name: 'p_t' })[0]!);
    if (pointer.kind !== 'pointer') throw new Error('not a pointer');
    const target = concrete(pointer.target());
    expect(target).toMatchObject({ kind: 'struct', name: 's' });
    if (target.kind === 'struct') expect(findMember(target, 'c')?.offset).toBe(12);
  });
});
