// The TypeSource of a target: the types a recipe names but does not
// declare, from the debug info of the target's modules (live, core or
// snapshot alike: the resolver finds each module's file, checked by
// build-id, and its debug file). Each lookup answers with one type or a
// problem that says what is missing and how to get it.
import { PvmError } from '../errors.ts';
import { closest } from '../suggest.ts';
import { basename } from 'node:path';
import type { CType, TypeName } from './ctype.ts';
import { concrete, sizeOf, typeNameText } from './ctype.ts';
import type { DwarfDebugTypes, TypeDefinition } from './dwarf/debug-types.ts';
import type { TypeLookup, TypeProblem, TypeSource } from './type-source.ts';
import type { DebugInfoReader } from './debug-info-files.ts';

/** What a TypeSource needs of the target: its modules' debug info (ModuleResolver.debugTypes), and which modules it has. */
export interface DebugTypesOfModules {
  debugTypes(moduleName: string | undefined): DwarfDebugTypes | { problem: TypeProblem };
  /** The mapped files' paths, the executable first. */
  modulePaths(): string[];
}

const TAGS = ['struct', 'union', 'enum'] as const;
/** Units a message names before it says how many more. */
const UNITS_NAMED = 4;

/** The TypeSource of a resolver's modules (ModuleResolver), read with the DWARF reader it is given. */
export function resolverTypes(resolver: { debugTypes(module: string | undefined, reader: DebugInfoReader): ReturnType<DebugTypesOfModules['debugTypes']>; modulePaths(): string[] }, reader: DebugInfoReader): TypeSource {
  return targetTypes({ debugTypes: (module) => resolver.debugTypes(module, reader), modulePaths: () => resolver.modulePaths() });
}

export function targetTypes(modules: DebugTypesOfModules): TypeSource {
  const inModule = (name: TypeName, module: string | undefined): TypeLookup => {
    const types = modules.debugTypes(module);
    if ('problem' in types) return types;
    try {
      return lookupIn(types, name, module);
    } catch (error) {
      // DWARF the reader cannot read is the file's fault, said as a problem like any other.
      if (error instanceof PvmError && (error.code === 'bad-debug-info' || error.code === 'no-debug-info')) return { problem: { code: error.code, message: error.message, hint: error.hint, exit: 4 } };
      throw error;
    }
  };
  return {
    lookup(name: TypeName, module: string | undefined): TypeLookup {
      const found = inModule(name, module);
      if (module !== undefined || ('problem' in found && found.problem.code === 'ambiguous-type')) return found;
      // The executable's, unless it only declares it (an opaque `struct x *`): then the module that defines it.
      if ('type' in found) return isDeclarationOnly(found.type) ? anywhere(modules, name, found, inModule) : found;
      return anywhere(modules, name, found, inModule);
    },
  };
}

/**
 * A type the executable does not define (or has no debug info for), looked for in every other module, as
 * gdb looks through every objfile: the one layout the modules that define it agree on, or a problem naming
 * the modules whose layouts differ. Nothing found: the executable's own problem, with the modules named.
 */
function anywhere(modules: DebugTypesOfModules, name: TypeName, executable: TypeLookup, inModule: (name: TypeName, module: string) => TypeLookup): TypeLookup {
  const found: { path: string; type: CType }[] = [];
  /** A module with debug info that did not have the name: its did-you-mean, for a misspelt name. */
  let missing: { problem: TypeProblem; path: string } | undefined;
  for (const path of modules.modulePaths().slice(1)) {
    const lookup = inModule(name, path);
    if ('type' in lookup) {
      if (!isDeclarationOnly(lookup.type) && !found.some((f) => sameLayout(f.type, lookup.type))) found.push({ path, type: lookup.type });
    } else if (lookup.problem.code === 'ambiguous-type') return lookup;
    else if (lookup.problem.code === 'no-type' && missing === undefined && lookup.problem.hint?.startsWith('did you mean') === true) missing = { problem: lookup.problem, path };
    // Other modules without the type, without debug info, or not ELF at all (a locale archive) are passed over.
  }
  if (found.length === 1) return { type: found[0]!.type };
  // Only declared by the executable, and defined nowhere: the declaration, as it is.
  if (found.length === 0 && 'type' in executable) return executable;
  if (found.length > 1) {
    return problem(
      'ambiguous-type',
      `'${typeNameText(name)}' is defined differently by ${found.length} modules: ${found.map((f) => basename(f.path)).join(', ')}`,
      `say which: \`as ${typeNameText(name)} from "${basename(found[0]!.path)}"\``,
      2,
    );
  }
  if (!('problem' in executable)) return executable;
  // A name no module defines, where one module's debug info knows a name close to it: a misspelling (exit 2).
  if (missing !== undefined) return { problem: { ...missing.problem, message: `no module's debug info defines '${typeNameText(name)}'`, hint: `${missing.problem.hint} (${basename(missing.path)})` } };
  const { problem: first } = executable;
  return { problem: { ...first, message: `no debug info defines '${typeNameText(name)}': ${first.message}` } };
}

/** A struct or union a file only declares (`struct x;`): its members are in the file that defines it. */
function isDeclarationOnly(type: CType): boolean {
  return (type.kind === 'struct' || type.kind === 'union') && type.size === undefined;
}

/** The same layout: kinds, sizes, and (for a struct or union) members by name, offset and size. */
function sameLayout(a: CType, b: CType): boolean {
  const x = concrete(a);
  const y = concrete(b);
  if (x.kind !== y.kind || sizeOf(x) !== sizeOf(y)) return false;
  if ((x.kind === 'struct' || x.kind === 'union') && (y.kind === 'struct' || y.kind === 'union')) {
    return x.members.length === y.members.length && x.members.every((m, i) => {
      const n = y.members[i]!;
      return m.name === n.name && m.offset === n.offset && sizeOf(m.type) === sizeOf(n.type);
    });
  }
  return true;
}

/**
 * The rule of type-source.ts: a plain name is a typedef or base type first,
 * else the one struct, union or enum of that name. `module`: as the recipe
 * named it, for messages (undefined: the executable, or a file named whole).
 */
export function lookupIn(types: DwarfDebugTypes, name: TypeName, module?: string): TypeLookup {
  const where = module === undefined ? types.path : `${module}'s debug info (${types.path})`;
  let definitions = types.definitions(name);
  let found = name;
  if (definitions.length === 0 && name.tag === undefined) {
    const tagged = TAGS.map((tag) => ({ tag, definitions: types.definitions({ tag, name: name.name }) })).filter((t) => t.definitions.length > 0);
    if (tagged.length > 1) {
      return problem('ambiguous-type', `'${name.name}' in ${where} names ${tagged.map((t) => `${t.tag} ${name.name}`).join(' and ')}`, `say which: ${tagged.map((t) => `\`${t.tag} ${name.name}\``).join(' or ')}`, 2);
    }
    if (tagged.length === 1) {
      definitions = tagged[0]!.definitions;
      found = { tag: tagged[0]!.tag, name: name.name };
    }
  }
  if (definitions.length === 0) return problem('no-type', `${where} defines no type '${typeNameText(name)}'`, suggestion(types, name), 2);
  if (definitions.length > 1) return ambiguous(types, where, found, definitions);
  return { type: definitions[0]!.type as CType };
}

function ambiguous(types: DwarfDebugTypes, where: string, name: TypeName, definitions: readonly TypeDefinition[]): TypeLookup {
  const units = definitions.map((d) => (d.units > 1 ? `${d.unit} (and ${d.units - 1} more alike)` : d.unit ?? 'a declaration'));
  const named = units.length > UNITS_NAMED ? `${units.slice(0, UNITS_NAMED).join(', ')} and ${units.length - UNITS_NAMED} more` : units.join(', ');
  return problem(
    'ambiguous-type',
    `'${typeNameText(name)}' is defined differently in ${definitions.length} compile units of ${where}: ${named}`,
    `declare the layout you mean in the recipe (\`pvm types ${types.path} '${typeNameText(name)}'\` shows them)`,
    2,
  );
}

/** "did you mean …": the closest name by its bare part, spelled as the recipe should write it. */
function suggestion(types: DwarfDebugTypes, name: TypeName): string {
  const spelled = new Map<string, string>();
  for (const full of types.names()) {
    const space = full.indexOf(' ');
    const tag = space < 0 ? undefined : full.slice(0, space);
    const bare = tag !== undefined && (TAGS as readonly string[]).includes(tag) ? full.slice(space + 1) : full;
    if (name.tag !== undefined && tag !== name.tag) continue;
    if (!spelled.has(bare) || tag === undefined) spelled.set(bare, full);
  }
  const near = closest(name.name, spelled.keys());
  return near !== undefined ? `did you mean '${spelled.get(near)}'?` : `\`pvm types ${types.path}\` lists the types it defines`;
}

function problem(code: TypeProblem['code'], message: string, hint: string | undefined, exit: 2 | 4): { problem: TypeProblem } {
  return { problem: { code, message, hint, exit } };
}
