// C types, as a recipe's `struct` declarations and a module's DWARF debug
// info both describe them (docs/language.md, "Types"). The checker lowers
// every typed access (`p.level`, `p.pos[2]`, `sizeof(T)`) to plain reads at
// offsets with these; nothing at run time sees a CType (the plan holds only
// the plain-data `Shape` of what a whole-struct read shows, shape.ts).
//
// Pointers and typedefs name their target through a function: a struct that
// points to itself (`next: Player*`) is a cycle, built lazily, and a debug
// file's types are decoded only as far as a recipe follows them.

export type CType =
  /** An integer; `char`: a C character type (`char[N]` reads as a string); `bigEndian`: a recipe's `u32be` and the like. */
  | { readonly kind: 'int'; readonly name: string; readonly size: number; readonly signed: boolean; readonly char?: boolean; readonly bigEndian?: boolean }
  | { readonly kind: 'bool'; readonly name: string; readonly size: number }
  | { readonly kind: 'float'; readonly name: string; readonly size: number; readonly bigEndian?: boolean }
  | { readonly kind: 'void' }
  /** What a pointer to a function points at: nothing pvm reads. */
  | { readonly kind: 'function'; readonly name: string | undefined }
  | { readonly kind: 'pointer'; readonly size: number; readonly target: () => CType }
  /** `count` undefined: a flexible array member (`T[]`), which has no size of its own. */
  | { readonly kind: 'array'; readonly element: CType; readonly count: number | undefined }
  | Aggregate
  | EnumType
  | { readonly kind: 'typedef'; readonly name: string; readonly target: () => CType; readonly origin?: string }
  | { readonly kind: 'qualified'; readonly const: boolean; readonly volatile: boolean; readonly target: CType };

/** A struct or union. `size` undefined: only declared (`struct X;`), so its members are unknown. */
export interface Aggregate {
  readonly kind: 'struct' | 'union';
  readonly name: string | undefined;
  readonly size: number | undefined;
  readonly members: readonly Member[];
  /** Where it was defined: the recipe, or the file whose debug info holds it (for messages). */
  readonly origin?: string;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly name: string | undefined;
  readonly size: number;
  readonly signed: boolean;
  readonly enumerators: readonly { readonly name: string; readonly value: bigint }[];
  readonly origin?: string;
}

/**
 * A member at `offset` bytes from the start of its struct. A bitfield is
 * `bitSize` bits starting `bitOffset` bits after `offset` (counting from the
 * least significant bit: little-endian, as DW_AT_data_bit_offset counts).
 * `name` undefined: an anonymous struct or union, whose members are found
 * through it (`u.x` where `union { int x; }` has no name).
 */
export interface Member {
  readonly name: string | undefined;
  readonly offset: number;
  readonly type: CType;
  readonly bitOffset?: number;
  readonly bitSize?: number;
}

/** `struct X`, `union X`, `enum X`, or a plain name (a typedef, a base type, or a recipe's struct). */
export interface TypeName {
  readonly tag: 'struct' | 'union' | 'enum' | undefined;
  readonly name: string;
}

export function typeNameText(name: TypeName): string {
  return name.tag === undefined ? name.name : `${name.tag} ${name.name}`;
}

/**
 * Whether an array is text: of plain `char`, as C's strings are. `unsigned char` and `uint8_t` arrays are
 * bytes (a MAC, a hash), shown as numbers, never cut at a NUL.
 */
export function isText(array: Extract<CType, { kind: 'array' }>): boolean {
  const element = concrete(array.element);
  return element.kind === 'int' && element.char === true && element.size === 1 && element.name === 'char';
}

/** The type with its typedefs and qualifiers looked through: what its bytes are. */
export function concrete(type: CType): Exclude<CType, { kind: 'typedef' | 'qualified' }> {
  let t = type;
  for (let depth = 0; t.kind === 'typedef' || t.kind === 'qualified'; depth++) {
    if (depth > 64) throw new RangeError('a typedef chain more than 64 deep (a cycle?)');
    t = t.kind === 'typedef' ? t.target() : t.target;
  }
  return t;
}

/** Bytes the type takes, or undefined where C has no size (void, a function, a flexible array, a declared-only struct). */
export function sizeOf(type: CType): number | undefined {
  const t = concrete(type);
  switch (t.kind) {
    case 'int':
    case 'bool':
    case 'float':
    case 'pointer':
    case 'enum':
      return t.size;
    case 'struct':
    case 'union':
      return t.size;
    case 'array': {
      if (t.count === undefined) return undefined;
      const element = sizeOf(t.element);
      return element === undefined ? undefined : element * t.count;
    }
    case 'void':
    case 'function':
      return undefined;
  }
}

/** Natural alignment (C's rules on x86-64 and arm64): a scalar's size, an aggregate's largest member's. */
export function alignOf(type: CType): number {
  const t = concrete(type);
  switch (t.kind) {
    case 'int':
    case 'bool':
    case 'float':
    case 'pointer':
    case 'enum':
      return Math.min(t.size, 16) || 1;
    case 'array':
      return alignOf(t.element);
    case 'struct':
    case 'union':
      return t.members.reduce((most, m) => Math.max(most, alignOf(m.type)), 1);
    case 'void':
    case 'function':
      return 1;
  }
}

/** The type as C spells it, with `inner` (a declarator such as a member's name) where C puts it: `char name[16]`, `struct node *next`. */
export function spell(type: CType, inner = ''): string {
  const space = (s: string) => (s === '' ? '' : ` ${s}`);
  switch (type.kind) {
    case 'int':
    case 'bool':
    case 'float':
      return `${type.name}${space(inner)}`;
    case 'void':
      return `void${space(inner)}`;
    case 'function':
      // `void *(*f)(…)`: a pointer's star binds to the declarator after it, as C writes it.
      return `${type.name ?? 'void'}${type.name?.endsWith('*') ? '' : ' '}(${inner})(…)`.replace('()(', '(*)(');
    case 'struct':
    case 'union':
    case 'enum':
      return `${type.kind} ${type.name ?? '{…}'}${space(inner)}`;
    case 'typedef':
      return `${type.name}${space(inner)}`;
    case 'qualified': {
      const words = [type.const ? 'const' : '', type.volatile ? 'volatile' : ''].filter((w) => w !== '').join(' ');
      return type.target.kind === 'pointer' ? spell(type.target, `${words}${space(inner)}`) : `${words} ${spell(type.target, inner)}`;
    }
    case 'pointer': {
      const target = type.target();
      const starred = `*${inner}`;
      // A function puts its declarator in parentheses itself: `void (*fp)(…)`, not `void ((*fp))(…)`.
      return spell(target, target.kind === 'array' ? `(${starred})` : starred);
    }
    case 'array':
      return spell(type.element, `${inner}[${type.count ?? ''}]`);
  }
}

/**
 * The member named `name`, looked for through anonymous members as C does,
 * with its offset (and bit position) from the start of `aggregate`.
 */
export function findMember(aggregate: Aggregate, name: string): Member | undefined {
  for (const member of aggregate.members) {
    if (member.name === name) return member;
    if (member.name === undefined) {
      const inner = concrete(member.type);
      if (inner.kind !== 'struct' && inner.kind !== 'union') continue;
      const found = findMember(inner, name);
      if (found !== undefined) return { ...found, offset: member.offset + found.offset };
    }
  }
  return undefined;
}

/** Every name `findMember` finds, for did-you-mean. */
export function memberNames(aggregate: Aggregate): string[] {
  return aggregate.members.flatMap((m) => {
    if (m.name !== undefined) return [m.name];
    const inner = concrete(m.type);
    return inner.kind === 'struct' || inner.kind === 'union' ? memberNames(inner) : [];
  });
}
