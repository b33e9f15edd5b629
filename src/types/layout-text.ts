// A layout as text, in the form of gdb's `ptype /o`: a comment column with
// each member's offset (`offset: bit` for a bitfield) and size, the member as
// C declares it, struct and union members expanded in place, holes and
// padding on lines of their own, and each struct's total size. Where it
// differs from gdb: a typedef's layout has the same header as a struct's
// (gdb leaves it out), an enum or a base type says its size, and a function
// pointer's parameters show as `(…)`.
import { type CType, spell } from './ctype.ts';
import type { AggregateLayout, Hole, Layout, MemberLayout } from './layout.ts';

/** Where the member column starts: after the comment column, as in gdb. */
const COMMENT = '/* offset      |    size */';

export function layoutText(layout: Layout): string {
  const shown = seenThrough(layout);
  switch (shown.kind) {
    case 'struct':
    case 'union':
      return [`${COMMENT}  type = ${opening(shown.name)}`, ...bodyLines(shown, 0), `${indent(2)}}`].join('\n');
    case 'enum':
      return [`type = ${enumText(shown.type, shown.name)}`, totalLine(shown.size, undefined)].join('\n');
    case 'other':
      return shown.size === undefined ? `type = ${spell(shown.type)}` : [`type = ${spell(shown.type)}`, totalLine(shown.size, undefined)].join('\n');
  }
}

/** What `ptype` shows of a typedef: the type it names, typedefs looked through. */
function seenThrough(layout: Layout): Exclude<Layout, { kind: 'typedef' }> {
  return layout.kind === 'typedef' ? seenThrough(layout.target) : layout;
}

/** `struct node {`, `union {` for an anonymous one (C spells it `union {…}`). */
function opening(spelled: string): string {
  return `${spelled.replace(/ \{…\}$/, '')} {`;
}

/** The members, holes and total size of an aggregate whose members are `level` deep (0: the outermost's). */
function bodyLines(aggregate: AggregateLayout, level: number): string[] {
  const lines: string[] = [];
  for (const entry of aggregate.entries) {
    if (entry.kind === 'member') lines.push(...memberLines(entry, aggregate.kind === 'union', level));
    else lines.push(...holeLines(entry));
  }
  if (!aggregate.anonymous) lines.push('', totalLine(aggregate.size, level));
  return lines;
}

function memberLines(member: MemberLayout, inUnion: boolean, level: number): string[] {
  const column = `${offsetColumn(member, inUnion)}${' '.repeat(4 + 4 * level)}`;
  if (member.inner !== undefined) {
    // `struct {` … `} name;`, or around an anonymous one behind an array or a pointer, `struct {` … `} *items[2];`.
    const declared = spell(member.type, member.name ?? '');
    const brace = declared.indexOf('{…}');
    const [head, tail] = brace < 0 ? [opening(member.inner.name), member.name ?? ''] : [`${declared.slice(0, brace)}{`, declared.slice(brace + 3).trim()];
    return [`${column}${head}`, ...bodyLines(member.inner, level + 1), `${indent(4 + 4 * level)}}${tail === '' ? '' : ` ${tail}`};`];
  }
  const declaration = spell(member.type, member.name ?? '');
  return [`${column}${declaration}${member.bitSize === undefined ? '' : ` : ${member.bitSize}`};`];
}

/** `/*     18: 3   |       4 *\/`; in a union, where every member starts at its start, the size alone. */
function offsetColumn(member: MemberLayout, inUnion: boolean): string {
  const size = pad(member.size, 6);
  if (inUnion) return `/*                ${size} */`;
  const byte = pad(Math.floor(member.bit / 8), 6);
  if (member.bitSize !== undefined || member.bit % 8 !== 0) return `/* ${byte}:${pad(member.bit % 8, 2)}   |  ${size} */`;
  return `/* ${byte}      |  ${size} */`;
}

/** A hole's bits then its bytes, each on a line, as gdb words them. */
function holeLines(hole: Hole): string[] {
  const lines: string[] = [];
  const word = hole.kind.padEnd(7);
  if (hole.bits % 8 > 0) lines.push(`/* XXX ${pad(hole.bits % 8, 2)}-bit ${word}    */`);
  if (hole.bits >= 8) lines.push(`/* XXX ${pad(Math.floor(hole.bits / 8), 2)}-byte ${word}   */`);
  return lines;
}

/** `level` undefined: under a type of one line, at the left. */
function totalLine(size: number | undefined, level: number | undefined): string {
  const text = size === undefined ? 'unknown: only declared' : pad(size, 4);
  return `${level === undefined ? '' : indent(4 + 4 * level)}/* total size (bytes): ${text} */`;
}

/** `enum color {RED, GREEN = 5, BLUE = -1}`: a value where it is not the one before plus one, as gdb shows it. */
function enumText(type: Extract<CType, { kind: 'enum' }>, name: string): string {
  let next = 0n;
  const enumerators = type.enumerators.map((e) => {
    const text = e.value === next ? e.name : `${e.name} = ${e.value}`;
    next = e.value + 1n;
    return text;
  });
  return `${name.replace(/ \{…\}$/, '')} {${enumerators.join(', ')}}`;
}

/** Spaces past the comment column. */
function indent(extra: number): string {
  return ' '.repeat(COMMENT.length + extra);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width);
}
