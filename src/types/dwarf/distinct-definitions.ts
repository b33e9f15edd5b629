// Which of a name's definitions differ: the index holds every DIE that
// defines `size_t` (one per unit that includes its header); here they are
// grouped by layout (type-layouts.ts), for the names a lookup asks for, once
// each. Definitions alike count once; distinct ones are kept, with the first
// unit giving each, so that a lookup can name where they differ.
import type { Die, DieReader, Unit } from './dies.ts';
import { type TypeIndex } from './type-index.ts';
import { UnitLayouts } from './type-layouts.ts';

/** One distinct definition of a name: a DIE that has it, the first unit defining it so, and how many do. */
export interface DistinctDefinition {
  readonly die: number;
  /** The unit's DW_AT_name (its source file), for messages. */
  readonly unit: string;
  readonly units: number;
}

export class DistinctDefinitions {
  readonly #reader: DieReader;
  readonly #index: TypeIndex;
  readonly #known = new Map<string, DistinctDefinition[]>();

  constructor(reader: DieReader, index: TypeIndex) {
    this.#reader = reader;
    this.#index = index;
  }

  /** The distinct definitions of the name indexed as `key` (none when only declared or not there). */
  of(key: string): readonly DistinctDefinition[] {
    let distinct = this.#known.get(key);
    if (distinct === undefined) {
      distinct = this.#group(this.#index.defined.get(key) ?? []);
      this.#known.set(key, distinct);
    }
    return distinct;
  }

  #group(offsets: ArrayLike<number>): DistinctDefinition[] {
    const reader = this.#reader;
    const groups = new Map<string, { die: number; unit: Unit; units: number }>();
    let layouts: UnitLayouts | undefined;
    for (let i = 0; i < offsets.length; i++) {
      const offset = offsets[i]!;
      // Units read once here are not kept: a name defined in a thousand of them would hold a thousand tables of abbreviations.
      const unit = layouts !== undefined && offset >= layouts.unit.rootOffset && offset < layouts.unit.end ? layouts.unit : reader.unitHolding(offset, false);
      if (layouts === undefined || layouts.unit !== unit) layouts = new UnitLayouts(reader, unit);
      const die = reader.read(unit, offset) as Die;
      const layout = layouts.definition(die);
      const group = groups.get(layout);
      if (group === undefined) groups.set(layout, { die: offset, unit, units: 1 });
      else group.units++;
    }
    return [...groups.values()].map(({ die, unit, units }) => ({ die, unit: reader.read(unit, unit.rootOffset)?.name ?? `the ${unit.typeSignature === undefined ? '' : 'type '}unit at 0x${unit.offset.toString(16)}`, units }));
  }
}
