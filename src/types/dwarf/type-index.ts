// The index of a debug file's type names: for `struct malloc_state`,
// `size_t`, `enum X`, every DIE that defines it, found once by walking the
// top level of every unit (C's types live there). Only each DIE's tag and
// name are read: functions, variables and the members of structs are
// skipped whole (by DW_AT_sibling where the compiler gave it), so the walk
// costs little more than reading the bytes. Which of a name's definitions
// differ is found only for the names a lookup asks for
// (distinct-definitions.ts): a header included by a thousand files defines
// its types a thousand times.
import type { TypeName } from '../ctype.ts';
import { typeNameText } from '../ctype.ts';
import { type Die, type DieReader, emptyDie } from './dies.ts';
import * as DW from './constants.ts';

export interface TypeIndex {
  /** The DIEs defining each name (`struct X`, `union X`, `enum X`, or a plain typedef or base type name), in .debug_info order. */
  readonly defined: ReadonlyMap<string, ArrayLike<number>>;
  /** The first declaration (`struct X;`) of each name no unit defines. */
  readonly declared: ReadonlyMap<string, number>;
}

/** The key a name is indexed by: as a recipe spells it. */
export function indexKey(name: TypeName): string {
  return typeNameText(name);
}

const NAMESPACES = new Map<number, string>([
  [DW.DW_TAG_structure_type, 'struct '],
  [DW.DW_TAG_class_type, 'struct '],
  [DW.DW_TAG_union_type, 'union '],
  [DW.DW_TAG_enumeration_type, 'enum '],
  [DW.DW_TAG_typedef, ''],
  [DW.DW_TAG_base_type, ''],
]);

export function buildTypeIndex(reader: DieReader): TypeIndex {
  // By namespace, then name: no string is made per DIE (names from .debug_str are made once).
  const defined = new Map<string, Map<string, number[]>>();
  const declared = new Map<string, Map<string, number>>();
  for (const prefix of new Set(NAMESPACES.values())) {
    defined.set(prefix, new Map());
    declared.set(prefix, new Map());
  }
  let scratch: Die | undefined;
  for (const header of reader.headers()) {
    if (header.unitType !== DW.DW_UT_compile && header.unitType !== DW.DW_UT_partial && header.unitType !== DW.DW_UT_type) continue;
    const unit = reader.unit(header.offset, false);
    const root = reader.read(unit, unit.rootOffset, scratch ??= emptyDie(unit));
    if (root === undefined || !root.hasChildren) continue;
    for (let offset = root.attributesEnd;;) {
      const prefix = NAMESPACES.get(reader.tagAt(unit, offset));
      if (prefix === undefined) {
        // Functions, variables and the rest: skipped whole, without decoding them.
        const next = reader.skipEntry(unit, offset);
        if (next === undefined) break;
        offset = next;
        continue;
      }
      const die = reader.read(unit, offset, scratch)!;
      const name = die.name;
      if (name !== undefined) {
        // A struct, union or enum without a size is only declared, whatever DW_AT_declaration says.
        const isDeclaration = die.declaration || (prefix !== '' && die.byteSize === undefined && die.signature === undefined);
        if (isDeclaration) {
          const names = declared.get(prefix)!;
          if (!names.has(name)) names.set(name, die.offset);
        } else {
          const names = defined.get(prefix)!;
          const offsets = names.get(name);
          if (offsets === undefined) names.set(name, [die.offset]);
          else offsets.push(die.offset);
        }
      }
      offset = reader.skipDie(unit, die);
    }
  }
  const byKey = new Map<string, number[]>();
  const declaredByKey = new Map<string, number>();
  for (const [prefix, names] of defined) for (const [name, offsets] of names) byKey.set(prefix + name, offsets);
  for (const [prefix, names] of declared) for (const [name, offset] of names) if (!byKey.has(prefix + name)) declaredByKey.set(prefix + name, offset);
  return { defined: byKey, declared: declaredByKey };
}
