// Shared by the type tests: a file's types, and the one definition of a name.
import { expect } from 'vitest';
import type { CType } from '../../src/types/ctype.ts';
import { debugTypesOfFile } from '../../src/types/debug-info-files.ts';
import type { DwarfDebugTypes } from '../../src/types/dwarf/debug-types.ts';

/** The types of `path`, or the test fails saying why not. */
export function typesOf(path: string, cacheDirectory?: string): DwarfDebugTypes {
  const types = debugTypesOfFile(path, { cacheDirectory });
  if ('problem' in types) throw new Error(types.problem.message);
  return types;
}

/** The one definition of a name spelled as a recipe would (`struct X`, `size_t`). */
export function one(types: DwarfDebugTypes, spelled: string): CType {
  const [first, ...rest] = spelled.split(' ');
  const tagged = first === 'struct' || first === 'union' || first === 'enum';
  const found = types.find(tagged ? { tag: first, name: rest.join(' ') } : { tag: undefined, name: spelled });
  expect(found, spelled).toHaveLength(1);
  return found[0]!;
}
