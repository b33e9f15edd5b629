// What a type is, as text, within one unit: two definitions of a name with
// the same text have the same layout, wherever they come from. Named types
// are spelled by name (`struct X *`), anonymous ones by their members, so a
// typedef of an anonymous struct compares by the struct's layout.
import type { Die, DieReader, Unit } from './dies.ts';
import * as DW from './constants.ts';

/** No type nests deeper than this through anonymous members; corrupt DWARF can claim any depth. */
const MAX_DEPTH = 64;

/** The layouts and spellings of one unit's types, each DIE spelled once. */
export class UnitLayouts {
  readonly #reader: DieReader;
  readonly unit: Unit;
  readonly #spelled = new Map<number, string>();
  readonly #spelling = new Set<number>();

  constructor(reader: DieReader, unit: Unit) {
    this.#reader = reader;
    this.unit = unit;
  }

  /** The layout of a named definition. */
  definition(die: Die): string {
    switch (die.tag) {
      case DW.DW_TAG_typedef:
        return `typedef ${this.#typeOf(die, 0)}`;
      case DW.DW_TAG_base_type:
        return `base ${die.encoding}:${die.byteSize}`;
      default:
        return this.#layout(die, 0);
    }
  }

  /** The type at `offset`, spelled: by name where it has one. */
  spell(offset: number, depth: number): string {
    const known = this.#spelled.get(offset);
    if (known !== undefined) return known;
    if (this.#spelling.has(offset) || depth > MAX_DEPTH) return '<cycle>';
    const unit = offset >= this.unit.rootOffset && offset < this.unit.end ? this.unit : this.#reader.unitHolding(offset);
    const die = this.#reader.read(unit, offset);
    if (die === undefined) return '<none>';
    this.#spelling.add(offset);
    try {
      const text = this.#spellDie(die, depth);
      this.#spelled.set(offset, text);
      return text;
    } finally {
      this.#spelling.delete(offset);
    }
  }

  #typeOf(die: Die, depth: number): string {
    if (die.signature !== undefined) return `signature ${die.signature.toString(16)}`;
    return die.type === undefined ? 'void' : this.spell(die.type, depth + 1);
  }

  #spellDie(die: Die, depth: number): string {
    switch (die.tag) {
      case DW.DW_TAG_base_type:
      case DW.DW_TAG_typedef:
        return die.name ?? '?';
      case DW.DW_TAG_structure_type:
      case DW.DW_TAG_class_type:
      case DW.DW_TAG_union_type:
      case DW.DW_TAG_enumeration_type:
        return die.name !== undefined ? `${keywordOf(die.tag)} ${die.name}` : this.#layout(die, depth);
      case DW.DW_TAG_pointer_type:
      case DW.DW_TAG_reference_type:
      case DW.DW_TAG_rvalue_reference_type:
        return `${this.#typeOf(die, depth)} *`;
      case DW.DW_TAG_const_type:
        return `const ${this.#typeOf(die, depth)}`;
      case DW.DW_TAG_volatile_type:
        return `volatile ${this.#typeOf(die, depth)}`;
      case DW.DW_TAG_restrict_type:
      case DW.DW_TAG_atomic_type:
        return this.#typeOf(die, depth);
      case DW.DW_TAG_array_type: {
        let bounds = '';
        this.#children(die, (child) => {
          if (child.tag === DW.DW_TAG_subrange_type) bounds += `[${child.count ?? (child.upperBound === undefined ? '' : child.upperBound - (child.lowerBound ?? 0) + 1)}]`;
        });
        return `${this.#typeOf(die, depth)} ${bounds || '[]'}`;
      }
      case DW.DW_TAG_subroutine_type:
        return `${this.#typeOf(die, depth)} (*)()`;
      case DW.DW_TAG_unspecified_type:
        return 'void';
      default:
        return `<tag 0x${die.tag.toString(16)}>`;
    }
  }

  /** A struct's, union's or enum's whole layout: its size and each member (or enumerator). */
  #layout(die: Die, depth: number): string {
    let text = `${keywordOf(die.tag)} ${die.byteSize}{`;
    this.#children(die, (child) => {
      if (child.tag === DW.DW_TAG_member) {
        text += `${child.name ?? ''}@${child.memberLocation ?? ''}:${child.dataBitOffset ?? child.bitOffset ?? ''}:${child.bitSize ?? ''} ${this.#typeOf(child, depth)};`;
      } else if (child.tag === DW.DW_TAG_enumerator) text += `${child.name}=${child.constValue};`;
    });
    return `${text}}`;
  }

  #children(die: Die, visit: (child: Die) => void): void {
    if (!die.hasChildren) return;
    for (let offset = die.attributesEnd;;) {
      const child = this.#reader.read(die.unit, offset);
      if (child === undefined) return;
      visit(child);
      offset = this.#reader.skipDie(die.unit, child);
    }
  }
}

function keywordOf(tag: number): string {
  return tag === DW.DW_TAG_union_type ? 'union' : tag === DW.DW_TAG_enumeration_type ? 'enum' : 'struct';
}
