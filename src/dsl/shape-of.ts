// The shape a whole typed object shows as (plan/shape.ts), from its C type:
// nested structs to SHOWN_DEPTH levels, arrays to SHOWN_ELEMENTS elements,
// and at most SHOWN_VALUES values in all, so that printing a large struct
// stays a readable, bounded object. What is cut says so.
import type { Shape, ShapeField } from '../plan/shape.ts';
import { concrete, type CType, isText, sizeOf, spell } from '../types/ctype.ts';

export const SHOWN_DEPTH = 4;
export const SHOWN_ELEMENTS = 64;
export const SHOWN_VALUES = 4096;

/** The shape of `type` (which has a size: the caller checked). */
export function shapeOf(type: CType): Shape {
  const budget = { values: SHOWN_VALUES };
  return shape(type, 0, budget);
}

function shape(type: CType, depth: number, budget: { values: number }): Shape {
  const t = concrete(type);
  const size = sizeOf(t) ?? 0;
  budget.values--;
  switch (t.kind) {
    case 'int':
      return size === 1 || size === 2 || size === 4 || size === 8 ? { kind: 'int', size, signed: t.signed, bigEndian: t.bigEndian === true } : { kind: 'bytes', size };
    case 'float':
      return size === 4 || size === 8 ? { kind: 'float', size, bigEndian: t.bigEndian === true } : { kind: 'bytes', size };
    case 'bool':
      return { kind: 'bool', size };
    case 'pointer':
      return { kind: 'ptr' };
    case 'enum':
      return size === 1 || size === 2 || size === 4 || size === 8 ? { kind: 'enum', size, signed: t.signed, names: t.enumerators.map((e) => [e.value.toString(), e.name] as const) } : { kind: 'bytes', size };
    case 'array': {
      const element = concrete(t.element);
      if (isText(t)) return { kind: 'chars', size };
      const count = t.count ?? 0;
      const stride = sizeOf(element) ?? 0;
      if (depth >= SHOWN_DEPTH || budget.values <= 0) return { kind: 'cut', text: `${spell(t)} (index it to see its elements)` };
      const before = budget.values;
      const one = shape(element, depth + 1, budget);
      const cost = Math.max(1, before - budget.values);
      const shown = Math.min(count, SHOWN_ELEMENTS, Math.max(1, Math.floor(budget.values / cost) + 1));
      budget.values -= cost * Math.max(0, shown - 1);
      return { kind: 'array', element: one, count, shown, stride };
    }
    case 'struct':
    case 'union': {
      if (depth >= SHOWN_DEPTH || budget.values <= 0) return { kind: 'cut', text: `${spell(t)} (use .field to see its members)` };
      const fields: ShapeField[] = [];
      for (const member of t.members) {
        if (sizeOf(member.type) === undefined && concrete(member.type).kind !== 'array') continue;
        const inner = shape(member.type, depth + 1, budget);
        // An anonymous struct or union: its members are the struct's own, as C reads them.
        if (member.name === undefined && inner.kind === 'struct') {
          for (const field of inner.fields) fields.push({ ...field, offset: member.offset + field.offset });
          continue;
        }
        const name = member.name ?? '';
        if (member.bitSize !== undefined) fields.push({ name, offset: member.offset, shape: inner, bits: { offset: member.bitOffset ?? 0, size: member.bitSize } });
        else fields.push({ name, offset: member.offset, shape: inner });
      }
      return { kind: 'struct', fields };
    }
    case 'void':
    case 'function':
      return { kind: 'bytes', size };
  }
}
