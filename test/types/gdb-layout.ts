// What gdb says of a type's layout (`ptype /o`), parsed for the DWARF
// reader's tests to compare with: the top-level members' offsets (with the
// bit within the byte for bitfields), their sizes, and the total size.
import { execFileSync } from 'node:child_process';
import { concrete, type CType, sizeOf } from '../../src/types/ctype.ts';

export interface GdbMember {
  /** Undefined for an anonymous struct or union. */
  readonly name: string | undefined;
  readonly offset: number;
  readonly bit: number | undefined;
  readonly size: number;
}

export interface GdbLayout {
  readonly size: number;
  readonly members: readonly GdbMember[];
}

/** gdb's layouts of `types` in `file`, in one gdb run. */
export function gdbLayouts(file: string, types: readonly string[]): Map<string, GdbLayout> {
  const output = execFileSync('gdb', ['-batch', '-nx', ...types.flatMap((t) => ['-ex', `ptype /o ${t}`]), file], { encoding: 'utf8', timeout: 60_000 });
  const blocks = output.split('\n').reduce<string[][]>((all, line) => {
    if (line.includes('type = ')) all.push([]);
    all.at(-1)?.push(line);
    return all;
  }, []);
  if (blocks.length !== types.length) throw new Error(`gdb printed ${blocks.length} types for ${types.length} asked:\n${output}`);
  return new Map(types.map((type, i) => [type, parseLayout(blocks[i]!)]));
}

function parseLayout(lines: readonly string[]): GdbLayout {
  const members: GdbMember[] = [];
  let size = -1;
  // A member that is a struct or union gdb expands (`union value {` … `} value;`) is named where it closes.
  let open: { member: GdbMember; depth: number } | undefined;
  let depth = 0;
  for (const line of lines.slice(1)) {
    const total = /total size \(bytes\):\s+(\d+)/.exec(line);
    if (total !== null) size = Number(total[1]); // the outermost comes last
    const closing = /^\s*\}\s*(\w*);$/.exec(line);
    if (closing !== null) {
      depth--;
      if (open !== undefined && depth === open.depth) {
        members[members.indexOf(open.member)] = { ...open.member, name: closing[1] === '' ? undefined : closing[1] };
        open = undefined;
      }
      continue;
    }
    // Only the top level: four spaces after the comment. A union's members have no offset: they are all at 0.
    const member = /^\/\*\s+(\d+)(?::\s*(\d+))?\s+\|\s+(\d+) \*\/ {4}(\S.*)$/.exec(line) ?? /^\/\*()()\s+(\d+) \*\/ {4}(\S.*)$/.exec(line);
    const opens = line.trimEnd().endsWith('{');
    if (member !== null && depth === 0) {
      const parsed: GdbMember = { name: opens ? undefined : nameOf(member[4]!), offset: Number(member[1] || 0), bit: member[2] === undefined || member[2] === '' ? undefined : Number(member[2]), size: Number(member[3]) };
      members.push(parsed);
      if (opens) open = { member: parsed, depth };
    }
    if (opens) depth++;
  }
  return { size, members };
}

/** The member's name in a C declaration as gdb prints it: `int (*callback)(int, char *);`, `unsigned a : 3;`, `char name[16];`, `union {`. */
function nameOf(declaration: string): string | undefined {
  const pointer = /\(\*(\w+)\)/.exec(declaration);
  if (pointer !== null) return pointer[1];
  const text = declaration.replace(/;$/, '').replace(/\s*:\s*\d+$/, '').replace(/(\[\d*\])+$/, '');
  return /(\w+)$/.exec(text)?.[1];
}

/** A struct's or union's top-level members as gdb would list them. */
export function ourLayout(named: CType): GdbLayout {
  const type = concrete(named);
  if (type.kind !== 'struct' && type.kind !== 'union') throw new Error(`not an aggregate: ${type.kind}`);
  return {
    size: type.size ?? -1,
    members: type.members.map((m) => ({ name: m.name, offset: m.offset, bit: m.bitSize === undefined ? undefined : m.bitOffset ?? 0, size: sizeOf(m.type) ?? 0 })),
  };
}
