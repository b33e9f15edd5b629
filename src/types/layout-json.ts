// A layout as JSON: the shape `pvm types FILE NAME --json` prints and
// docs/reference.md ("pvm types") documents. Offsets are bytes from the start
// of the outermost type; bits appear only where a bitfield or a hole is not
// whole bytes.
import { type CType, spell } from './ctype.ts';
import type { AggregateLayout, Hole, Layout, MemberLayout } from './layout.ts';

export type LayoutJson =
  | { name: string; kind: 'struct' | 'union'; size: number | null; members: MemberJson[]; holes: HoleJson[] }
  | { name: string; kind: 'enum'; size: number; signed: boolean; enumerators: { name: string; value: number | string }[] }
  | { name: string; kind: 'typedef'; size: number | null; target: LayoutJson }
  | { name: string; kind: 'int'; size: number; signed: boolean }
  | { name: string; kind: 'array'; size: number | null; element: string; count: number | null }
  | { name: string; kind: 'bool' | 'float' | 'pointer' | 'function' | 'void'; size: number | null };

export interface MemberJson {
  /** null: an anonymous struct or union. */
  name: string | null;
  /** As C spells it: `char [16]`, `struct node *`. */
  type: string;
  offset: number;
  size: number;
  bitOffset?: number;
  bitSize?: number;
  /** A struct or union member, expanded. */
  kind?: 'struct' | 'union';
  members?: MemberJson[];
  holes?: HoleJson[];
  /** The struct or union with no name an array or pointer member leads to: its members and holes at offsets from its own start. */
  anonymous?: { kind: 'struct' | 'union'; size: number | null; members: MemberJson[]; holes: HoleJson[] };
}

/** Whole bytes: `offset`, `size`; else `offset`, `bitOffset` (0-7), `bitSize`. */
export interface HoleJson {
  kind: 'hole' | 'padding';
  offset: number;
  size?: number;
  bitOffset?: number;
  bitSize?: number;
}

export function layoutJson(layout: Layout): LayoutJson {
  const { name } = layout;
  switch (layout.kind) {
    case 'struct':
    case 'union':
      return { name, kind: layout.kind, size: layout.size ?? null, ...entriesJson(layout) };
    case 'typedef':
      return { name, kind: 'typedef', size: layout.size ?? null, target: layoutJson(layout.target) };
    case 'enum': {
      const enumerators = layout.type.enumerators.map((e) => ({ name: e.name, value: jsonInteger(e.value) }));
      return { name, kind: 'enum', size: layout.size, signed: layout.type.signed, enumerators };
    }
    case 'other':
      return otherJson(layout.type, name, layout.size ?? null);
  }
}

function otherJson(type: CType, name: string, size: number | null): LayoutJson {
  switch (type.kind) {
    case 'int':
      return { name, kind: 'int', size: type.size, signed: type.signed };
    case 'array':
      return { name, kind: 'array', size, element: spell(type.element), count: type.count ?? null };
    case 'bool':
    case 'float':
    case 'pointer':
    case 'function':
    case 'void':
      return { name, kind: type.kind, size };
    default:
      throw new Error(`layoutOf gives ${type.kind} a layout of its own`);
  }
}

function entriesJson(aggregate: AggregateLayout): { members: MemberJson[]; holes: HoleJson[] } {
  const members: MemberJson[] = [];
  const holes: HoleJson[] = [];
  for (const entry of aggregate.entries) {
    if (entry.kind === 'member') members.push(memberJson(entry));
    else holes.push(holeJson(entry));
  }
  return { members, holes };
}

function memberJson(member: MemberLayout): MemberJson {
  const json: MemberJson = { name: member.name ?? null, type: spell(member.type), offset: Math.floor(member.bit / 8), size: member.size };
  if (member.bitSize !== undefined || member.bit % 8 !== 0) Object.assign(json, { bitOffset: member.bit % 8, bitSize: member.bitSize });
  if (member.inner !== undefined && member.behind) json.anonymous = { kind: member.inner.kind, size: member.inner.size ?? null, ...entriesJson(member.inner) };
  else if (member.inner !== undefined) Object.assign(json, { kind: member.inner.kind, ...entriesJson(member.inner) });
  return json;
}

function holeJson(hole: Hole): HoleJson {
  if (hole.bit % 8 === 0 && hole.bits % 8 === 0) return { kind: hole.kind, offset: hole.bit / 8, size: hole.bits / 8 };
  return { kind: hole.kind, offset: Math.floor(hole.bit / 8), bitOffset: hole.bit % 8, bitSize: hole.bits };
}

/** A number where JSON holds it exactly, else its decimal text (as pvm's --json encodes integers). */
function jsonInteger(value: bigint): number | string {
  return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value.toString();
}
