// A type's layout as gdb's `ptype /o` shows it: each member with its offset
// and size, bitfields with their bit, the struct and union members expanded
// in place, and the holes between members and the padding after the last.
// `pvm types` and the REPL's `.type` print it as text (layout-text.ts) or
// JSON (layout-json.ts).
//
// Offsets count from the start of the outermost type, as gdb's do. Holes
// follow gdb's rule: the gap between where a member ends and where the next
// one starts (in bits, so bitfields leave bit holes), and after the last, the
// padding up to the struct's size; a union's members all start at its start,
// so a union has neither.
import { type Aggregate, type CType, sizeOf, spell } from './ctype.ts';

export type Layout =
  | AggregateLayout
  | { readonly kind: 'enum'; readonly name: string; readonly size: number; readonly type: Extract<CType, { kind: 'enum' }> }
  /** A typedef: `target` is the layout of the type it names. */
  | { readonly kind: 'typedef'; readonly name: string; readonly size: number | undefined; readonly target: Layout }
  /** A base type, a pointer, an array, a function, void: only its size. */
  | { readonly kind: 'other'; readonly name: string; readonly size: number | undefined; readonly type: CType };

/**
 * A struct or union: its members and holes in order. `size` undefined: only
 * declared (`struct X;`), so nothing is known of it. `anonymous`: one with
 * no name behind an array or a pointer (`struct { … } items[2]`), which gdb
 * shows in place, as it has no name to show: offsets from its own start,
 * its holes but not its padding, and no total size.
 */
export interface AggregateLayout {
  readonly kind: 'struct' | 'union';
  readonly name: string;
  readonly size: number | undefined;
  readonly entries: readonly (MemberLayout | Hole)[];
  readonly anonymous: boolean;
}

/**
 * A member at `bit` bits from the start of the outermost type (of the
 * anonymous struct it is in, for one behind an array or pointer). `size`: its
 * type's bytes (a bitfield's declared type's, as gdb shows it; 0 for a
 * flexible array).
 */
export interface MemberLayout {
  readonly kind: 'member';
  readonly name: string | undefined;
  readonly type: CType;
  readonly bit: number;
  readonly size: number;
  readonly bitSize: number | undefined;
  /** A struct or union member, shown expanded; or the anonymous one an array or pointer member leads to (`inner.anonymous`, `behind`). */
  readonly inner: AggregateLayout | undefined;
  readonly behind: boolean;
}

/** Bits no member covers, from `bit` on: `hole` between members, `padding` after the last. */
export interface Hole {
  readonly kind: 'hole' | 'padding';
  readonly bit: number;
  readonly bits: number;
}

/** Struct and union members are expanded this deep at most (a by-value cycle in bad debug info would never end). */
const DEEPEST = 32;

/** The layout of `type`, named `name` (its C spelling unless given). */
export function layoutOf(type: CType, name = spell(type)): Layout {
  switch (type.kind) {
    case 'typedef':
      return { kind: 'typedef', name, size: sizeOf(type), target: layoutOf(type.target()) };
    case 'qualified':
      return layoutOf(type.target, name);
    case 'struct':
    case 'union':
      return aggregateLayout(type, name, 0, 0, false);
    case 'enum':
      return { kind: 'enum', name, size: type.size, type };
    default:
      return { kind: 'other', name, size: sizeOf(type), type };
  }
}

/** `aggregate`'s members and holes, at `start` bits from the outermost type's start. */
function aggregateLayout(aggregate: Aggregate, name: string, start: number, depth: number, anonymous: boolean): AggregateLayout {
  const entries: (MemberLayout | Hole)[] = [];
  const struct = aggregate.kind === 'struct';
  // Where the member before ended, in bits: a member that starts later leaves a hole.
  let end = start;
  for (const member of aggregate.members) {
    const bit = start + member.offset * 8 + (member.bitOffset ?? 0);
    const size = sizeOf(member.type) ?? 0;
    if (struct && bit > end) entries.push({ kind: 'hole', bit: end, bits: bit - end });
    // Inside an anonymous struct shown in place, as gdb shows a type's body, a member is expanded only if it has no name either.
    const aggregateMember = member.bitSize === undefined && depth < DEEPEST ? expandable(member.type) : undefined;
    const expanded = anonymous && aggregateMember?.name !== undefined ? undefined : aggregateMember;
    const behind = expanded === undefined && depth < DEEPEST ? anonymousBehind(member.type) : undefined;
    const inner = expanded !== undefined ? aggregateLayout(expanded, spell(member.type), bit, depth + 1, anonymous) : behind && aggregateLayout(behind, spell(behind), 0, depth + 1, true);
    entries.push({ kind: 'member', name: member.name, type: member.type, bit, size, bitSize: member.bitSize, inner, behind: behind !== undefined });
    end = bit + (member.bitSize ?? size * 8);
  }
  const last = start + (aggregate.size ?? 0) * 8;
  if (struct && !anonymous && aggregate.members.length > 0 && last > end) entries.push({ kind: 'padding', bit: end, bits: last - end });
  return { kind: aggregate.kind, name, size: aggregate.size, entries, anonymous };
}

/**
 * The struct or union a member of this type is, shown expanded; as gdb
 * does, not one behind a typedef (`PyObject ob_base` is one line; the
 * typedef's own layout shows what it holds).
 */
function expandable(type: CType): Aggregate | undefined {
  const t = type.kind === 'qualified' ? type.target : type;
  return (t.kind === 'struct' || t.kind === 'union') && t.size !== undefined ? t : undefined;
}

/** The struct or union with no name that a member of this type is an array of, or points to. */
function anonymousBehind(type: CType): Aggregate | undefined {
  let t = type.kind === 'qualified' ? type.target : type;
  if (t.kind !== 'array' && t.kind !== 'pointer') return undefined;
  for (let depth = 0; depth < DEEPEST && (t.kind === 'array' || t.kind === 'pointer' || t.kind === 'qualified'); depth++) {
    t = t.kind === 'array' ? t.element : t.kind === 'pointer' ? t.target() : t.target;
  }
  return (t.kind === 'struct' || t.kind === 'union') && t.name === undefined && t.size !== undefined ? t : undefined;
}
