// What a dotted name denotes (`p`, `p.next`, `p.pos`) when `p` holds a typed
// address: the struct or union whose members follow the next `.`, pointers
// followed as `.` follows them. For field completion and a member's hover.
import { type Aggregate, concrete, type CType, findMember, type Member } from '../types/ctype.ts';
import { type Declaration, declarationAt } from './recipe-analysis.ts';

/** `p.next.` before the cursor: the chain `p`, `next`, and the part of a member name typed after the last dot. */
const CHAIN = /([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\.\s*(\w*)$/;

export interface MemberContext {
  /** The names before the last dot: a name, then members. */
  readonly chain: readonly string[];
  /** What is typed after the last dot. */
  readonly typed: string;
}

/** The dotted chain `line` (a line's text up to the cursor) ends in, if it ends in one. */
export function memberContext(line: string): MemberContext | undefined {
  const match = CHAIN.exec(line);
  if (match === null) return undefined;
  return { chain: match[1]!.split('.').map((part) => part.trim()), typed: match[2]! };
}

/** The struct or union at the end of `chain`, as seen at `offset`; undefined when its first name holds no typed address. */
export function aggregateOf(declarations: readonly Declaration[], chain: readonly string[], offset: number): Aggregate | undefined {
  const [first, ...rest] = chain;
  const declared = first === undefined ? undefined : declarationAt(declarations, first, offset);
  if (declared?.ctype === undefined || declared.kind === 'type') return undefined;
  let type: CType = declared.ctype;
  for (const name of rest) {
    const aggregate = aggregateIn(type);
    const member = aggregate === undefined ? undefined : findMember(aggregate, name);
    if (member === undefined) return undefined;
    type = member.type;
  }
  return aggregateIn(type);
}

/** The member `name` of the struct at the end of `chain`. */
export function memberOf(declarations: readonly Declaration[], chain: readonly string[], name: string, offset: number): Member | undefined {
  const aggregate = aggregateOf(declarations, chain, offset);
  return aggregate === undefined ? undefined : findMember(aggregate, name);
}

/** A struct or union, or one a pointer points to. */
function aggregateIn(type: CType): Aggregate | undefined {
  let t = concrete(type);
  if (t.kind === 'pointer') t = concrete(t.target());
  return t.kind === 'struct' || t.kind === 'union' ? t : undefined;
}
