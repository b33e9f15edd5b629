// What an expression yields, as far as the checker can tell, and the words
// messages use for it. The plan records these types (a loop's names), so they
// are defined with it.
import type { MemoryType, StaticType } from '../plan/plan.ts';

export type { StaticType };

export function describeType(type: StaticType): string {
  return {
    int: 'a number',
    ptr: 'an address',
    region: 'a region',
    float: 'a float',
    str: 'a string',
    bool: 'a condition',
    bytes: 'bytes',
    pattern: 'a byte pattern',
    list: 'a list',
    paths: 'a list of pointer paths',
    object: 'a struct or array',
  }[type];
}

/** Kinds that may replace each other in an assignment: numbers and addresses mix, the rest do not. */
export function family(type: StaticType): string {
  return type === 'int' || type === 'ptr' || type === 'region' ? 'number' : type;
}

export function isInteger(type: StaticType): boolean {
  return type === 'int' || type === 'ptr' || type === 'region';
}

/** What a read of `type` yields: a whole struct or array is an object, an enum a number (shown by its name). */
export function staticTypeOfMemory(type: MemoryType): StaticType {
  switch (type.kind) {
    case 'int':
    case 'float':
    case 'ptr':
    case 'bytes':
      return type.kind;
    case 'cstring':
    case 'utf16':
      return 'str';
    case 'shaped':
      return type.shape.kind === 'enum' ? 'int' : 'object';
  }
}

/** Where a list of pointer paths cannot go (a loop, an index): what can be done with one. */
export const PATHS_HINT = 'a pointer path is followed by narrow (narrow paths to ADDR, narrow paths u32 == N) and shown by emit and print, which write it as an expression you can paste into a recipe';
