// The types a recipe declares (`struct`, `union`, `enum`) laid out as C lays
// them out on x86-64 and arm64 (docs/language.md, "Types"): each field at the
// next offset its alignment allows, the size rounded up to the largest
// alignment; `packed` drops the padding; `at N` places a field where the
// recipe says, and fields that overlap are an error.
import type * as Ast from './ast.ts';
import { type Aggregate, alignOf, concrete, type CType, type EnumType, type Member, sizeOf, spell } from '../types/ctype.ts';
import type { Report } from './check-expression.ts';
import { constantInteger } from './check-types.ts';

/** The recipe's names for C's base types, and a few of C's own. */
const BASE_TYPES: ReadonlyMap<string, CType> = new Map<string, CType>([
  ...[1, 2, 4, 8].flatMap((size) =>
    [false, true].flatMap((signed) =>
      (size === 1 ? [false] : [false, true]).map((bigEndian): [string, CType] => {
        const name = `${signed ? 'i' : 'u'}${size * 8}${bigEndian ? 'be' : ''}`;
        return [name, { kind: 'int', name, size, signed, ...(bigEndian ? { bigEndian } : {}) }];
      })
    )
  ),
  ['f32', { kind: 'float', name: 'f32', size: 4 }],
  ['f64', { kind: 'float', name: 'f64', size: 8 }],
  ['f32be', { kind: 'float', name: 'f32be', size: 4, bigEndian: true }],
  ['f64be', { kind: 'float', name: 'f64be', size: 8, bigEndian: true }],
  ['char', { kind: 'int', name: 'char', size: 1, signed: true, char: true }],
  ['bool', { kind: 'bool', name: 'bool', size: 1 }],
  ['void', { kind: 'void' }],
  ['ptr', { kind: 'pointer', size: 8, target: () => ({ kind: 'void' }) }],
]);

/** A recipe's base type by name (`u32`, `char`, `ptr`: a pointer to nothing in particular). */
export function baseType(name: string): CType | undefined {
  return BASE_TYPES.get(name);
}

/** Largest struct a recipe may declare: sizes are offsets into one object, not whole regions. */
const MAX_DECLARED_SIZE = 1 << 24;
/** Structs nested by value deeper than this are refused (as debug info's are): layouts recurse over them. */
const MAX_NESTING = 64;

/** How deep structs and arrays nest by value in a type (pointers end it). */
function nesting(type: CType): number {
  const t = concrete(type);
  if (t.kind === 'array') return 1 + nesting(t.element);
  if (t.kind === 'struct' || t.kind === 'union') return 1 + t.members.reduce((most, m) => Math.max(most, depthOf(m.type)), 0);
  return 0;
}
const DEPTHS = new WeakMap<object, number>();
function depthOf(type: CType): number {
  let depth = DEPTHS.get(type);
  if (depth === undefined) DEPTHS.set(type, depth = nesting(type));
  return depth;
}

/** Resolves a type written in a field (the caller knows the recipe's types, base types and debug info). */
export type ResolveType = (type: Ast.TypeExpression, pointee: boolean) => CType | undefined;

/**
 * The type a declaration declares, or undefined after reporting why not.
 * `self` stands for the type while its fields are read: a field of type `X*`
 * in `struct X` points to it; a field of type `X` (by value) is reported.
 */
export function declareType(declaration: Ast.TypeDeclaration, resolve: ResolveType, report: Report): CType | undefined {
  return declaration.tag === 'enum' ? declareEnum(declaration, resolve, report) : declareAggregate(declaration, resolve, report);
}

function declareAggregate(declaration: Ast.TypeDeclaration, resolve: ResolveType, report: Report): Aggregate | undefined {
  const union = declaration.tag === 'union';
  const members: Member[] = [];
  const seen = new Map<string, Ast.FieldDeclaration>();
  let end = 0;
  let align = 1;
  let failed = false;
  for (const field of declaration.fields) {
    if (seen.has(field.name.name)) {
      report({ code: 'redefined', message: `'${field.name.name}' is already a field of ${declaration.tag} ${declaration.name.name}`, span: field.name.span, hint: 'give each field its own name' });
      failed = true;
      continue;
    }
    seen.set(field.name.name, field);
    const type = resolve(field.type, false);
    if (type === undefined) {
      failed = true;
      continue;
    }
    if (depthOf(type) >= MAX_NESTING) {
      report({ code: 'type', message: `field '${field.name.name}' (${spell(type)}) nests structs more than ${MAX_NESTING} deep`, span: field.type.span, hint: 'point to the inner struct (T*) instead of holding it' });
      failed = true;
      continue;
    }
    const size = sizeOf(type);
    if (size === undefined) {
      const last = field === declaration.fields.at(-1) && type.kind === 'array';
      if (!last) {
        report({ code: 'type', message: `${spell(type, field.name.name)} has no size`, span: field.type.span, hint: type.kind === 'array' ? 'only the last field may be a flexible array (T[])' : 'use a pointer to it (T*)' });
        failed = true;
        continue;
      }
    }
    const fieldAlign = declaration.packed ? 1 : alignOf(type);
    let offset: number;
    if (field.at !== undefined) {
      const at = constantInteger(field.at);
      if (at === undefined || at < 0n || at > BigInt(MAX_DECLARED_SIZE)) {
        report({ code: 'type', message: '`at` takes a constant offset from the start of the struct', span: field.at.span, hint: 'write the offset as a number: level: u32 at 16' });
        failed = true;
        continue;
      }
      offset = Number(at);
    } else offset = union ? 0 : roundUp(end, fieldAlign);
    const fieldEnd = offset + (size ?? 0);
    const overlapped = union ? undefined : members.find((m) => m.offset < fieldEnd && offset < m.offset + (sizeOf(m.type) ?? 0));
    if (overlapped !== undefined) {
      report({
        code: 'type',
        message: `field '${field.name.name}' (bytes ${offset}..${fieldEnd}) overlaps '${overlapped.name}' (bytes ${overlapped.offset}..${overlapped.offset + (sizeOf(overlapped.type) ?? 0)})`,
        span: field.span,
        hint: 'place it past the other with `at N`, or declare a union for fields that share bytes',
      });
      failed = true;
      continue;
    }
    members.push({ name: field.name.name, offset, type });
    end = Math.max(end, fieldEnd);
    align = Math.max(align, fieldAlign);
  }
  const size = roundUp(end, declaration.packed ? 1 : align);
  if (size > MAX_DECLARED_SIZE) {
    report({
      code: 'type',
      message: `${declaration.tag} ${declaration.name.name} takes ${size} bytes, more than the ${MAX_DECLARED_SIZE} a declared type may`,
      span: declaration.name.span,
      hint: 'declare the part you read, placing its fields with `at N`',
    });
    failed = true;
  }
  return failed ? undefined : { kind: declaration.tag as 'struct' | 'union', name: declaration.name.name, size, members, origin: 'the recipe' };
}

function declareEnum(declaration: Ast.TypeDeclaration, resolve: ResolveType, report: Report): EnumType | undefined {
  const enumerators: { name: string; value: bigint }[] = [];
  let next = 0n;
  let failed = false;
  for (const enumerator of declaration.enumerators) {
    let value = next;
    if (enumerator.value !== undefined) {
      const given = constantInteger(enumerator.value);
      if (given === undefined) {
        report({ code: 'type', message: 'an enumerator takes a constant value', span: enumerator.value.span, hint: 'write it as a number: red = 4' });
        failed = true;
        continue;
      }
      value = given;
    }
    if (enumerators.some((e) => e.name === enumerator.name.name)) {
      report({ code: 'redefined', message: `'${enumerator.name.name}' is already in enum ${declaration.name.name}`, span: enumerator.name.span, hint: 'give each enumerator its own name' });
      failed = true;
    }
    enumerators.push({ name: enumerator.name.name, value });
    next = value + 1n;
  }
  let size = 4;
  let signed = enumerators.some((e) => e.value < 0n);
  if (declaration.base !== undefined) {
    const base = resolve(declaration.base, false);
    if (base === undefined) return undefined;
    if (base.kind !== 'int' || base.bigEndian === true) {
      report({ code: 'type', message: `an enum's base is a little-endian integer type, not ${spell(base)}`, span: declaration.base.span, hint: 'enum Colour : u8 { … }; read a big-endian value with read u16be at …' });
      return undefined;
    }
    size = base.size;
    signed = base.signed;
  }
  const low = signed ? -(1n << BigInt(size * 8 - 1)) : 0n;
  const high = signed ? (1n << BigInt(size * 8 - 1)) - 1n : (1n << BigInt(size * 8)) - 1n;
  for (const e of enumerators) {
    if (e.value < low || e.value > high) {
      report({ code: 'type', message: `${e.name} = ${e.value} does not fit the enum's ${size} bytes${signed ? '' : ' (unsigned)'}`, span: declaration.name.span, hint: 'give the enum a wider base: enum X : i64 { … }' });
      failed = true;
    }
  }
  return failed ? undefined : { kind: 'enum', name: declaration.name.name, size, signed, enumerators, origin: 'the recipe' };
}

function roundUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
