// `pvm types MODULE|FILE [NAME]` and the REPL's `.type NAME`: the layout of a
// type from debug info, or without NAME the names of the types there. The
// debug info is a live target's module's, a core's or a snapshot's (found by
// the build-id it records), or a plain ELF or debug file's.
import { statSync } from 'node:fs';
import { PvmError, UsageError } from '../errors.ts';
import { loadPolicies } from '../policy/system.ts';
import { closest } from '../suggest.ts';
import { debugTypesOfFile } from '../types/debug-info-files.ts';
import { describeTarget } from '../target/target.ts';
import type { Command } from './args.ts';
import { debugDirectories, openSession, typeCacheDirectory } from '../api/session.ts';
import { concrete, type CType, spell, type TypeName, typeNameText } from '../types/ctype.ts';
import { layoutOf } from '../types/layout.ts';
import { layoutJson } from '../types/layout-json.ts';
import { layoutText } from '../types/layout-text.ts';
import type { DwarfDebugTypes, TypeDefinition } from '../types/dwarf/debug-types.ts';
import { lookupIn } from '../types/target-types.ts';
import type { TypeLookup, TypeProblem } from '../types/type-source.ts';

/** Debug info, or why there is none to read. */
export type FoundTypes = DwarfDebugTypes | { readonly problem: TypeProblem };

type TypesCommand = Extract<Command, { kind: 'types' }>;

export async function typesCommand(command: TypesCommand, out: (text: string) => void): Promise<void> {
  if (command.target === undefined) {
    refuseNoFile(command.module);
    const found = debugTypesOfFile(command.module, { debugDirectories: debugDirectories(), cacheDirectory: typeCacheDirectory() });
    printLines(typesOutput(found, command.name, command.json, command.module), out);
    return;
  }
  const session = await openSession(command.target, await loadPolicies(command.policy.file), command.policy.audit, { quietStdout: command.json });
  try {
    // Only the map is read (and the module's files): the access a target needs to be opened at all, as for pvm maps.
    const where = `${command.module} in ${describeTarget(session.target.identity)}`;
    printLines(typesOutput(await session.debugTypes(command.module), command.name, command.json, where), out);
  } finally {
    session.close();
    await session.afterwards();
  }
}

/** One write for all the lines (a debug file's names are thousands); none for none. */
export function printLines(lines: readonly string[], out: (text: string) => void): void {
  if (lines.length > 0) out(lines.join('\n'));
}

/** `libc.so.6` given without a target is a module's name, not a file here: say what each needs. */
function refuseNoFile(path: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError('usage', `cannot read '${path}': ${reason}`, {
      hint: path.includes('/') ? 'give the path of an ELF file or of its debug file' : `a module's name needs a target: pvm types ${path} --pid N (or --core FILE); a file needs its path`,
    });
  }
  if (!stat.isFile()) throw new UsageError('usage', `cannot read '${path}': not a regular file`, { hint: 'give the path of an ELF file or of its debug file' });
}

/** A TypeProblem as the error pvm reports, with its exit status. */
export function typeProblemError(problem: TypeProblem): PvmError {
  return new PvmError(problem.exit, problem.code, problem.message, { hint: problem.hint });
}

/**
 * What `pvm types` prints of `found`: without `name`, the names of its types,
 * sorted, a line each (--json: one `types` line with them); with `name`, each
 * definition's layout (--json: a `layout` line each). `where`: the module or
 * file as asked for (`libc.so.6 in pid 42 (bash)`), for messages.
 */
export function typesOutput(found: FoundTypes, name: string | undefined, json: boolean, where: string): string[] {
  if ('problem' in found) throw typeProblemError(found.problem);
  if (name === undefined) {
    const names = [...new Set(found.names())].sort();
    return json ? [JSON.stringify({ type: 'types', file: found.path, names })] : names;
  }
  const parsed = parseTypeName(name);
  const defined = definitionsIn(found, parsed);
  if (defined === undefined) throw noType(found, parsed, where);
  return layoutLines(defined.definitions, defined.spelled, json, found.path);
}

/** Where the REPL's `.type` looks: a module's debug info (the executable's unless named), and with no module named, every module, as recipes look. */
export interface SessionTypes {
  readonly debug: () => FoundTypes;
  readonly anywhere?: ((name: TypeName) => TypeLookup) | undefined;
}

/**
 * The REPL's `.type [NAME]`: a type the session declared, else one of the
 * module's debug info (asked for only then: a REPL on a program without any
 * still shows its own types), else, with no module named, the one layout the
 * other modules agree on, as a recipe's `as NAME` finds it. Without NAME,
 * the names of the declared types and of the module's.
 */
export function sessionTypesOutput(declared: ReadonlyMap<string, CType>, source: SessionTypes, name: string | undefined, json: boolean, where: string): string[] {
  if (name === undefined) {
    const own = [...declared.keys()].sort();
    const found = source.debug();
    if ('problem' in found && own.length === 0) throw typeProblemError(found.problem);
    const names = 'problem' in found ? [] : [...new Set(found.names())].sort();
    return json ? [JSON.stringify({ type: 'types', file: 'problem' in found ? null : found.path, declared: own, names })] : [...own, ...names];
  }
  const parsed = parseTypeName(name);
  const own = declared.get(parsed.name);
  if (own !== undefined && (parsed.tag === undefined || parsed.tag === concrete(own).kind)) return layoutLines([{ type: own, unit: undefined, units: 1 }], spell(own), json, null);
  const found = source.debug();
  const defined = 'problem' in found ? undefined : definitionsIn(found, parsed);
  if (defined !== undefined) return layoutLines(defined.definitions, defined.spelled, json, (found as DwarfDebugTypes).path);
  const elsewhere = source.anywhere?.(parsed);
  if (elsewhere !== undefined && 'type' in elsewhere) return layoutLines([{ type: elsewhere.type, unit: undefined, units: 1 }], spell(elsewhere.type), json, null);
  if (elsewhere?.problem.code === 'ambiguous-type') throw typeProblemError(elsewhere.problem);
  if (!('problem' in found)) throw noType(found, parsed, where);
  const problem = elsewhere?.problem ?? found.problem;
  if (declared.size === 0) throw typeProblemError(problem);
  const near = closest(parsed.name, declared.keys());
  const hint = `${near === undefined ? '' : `did you mean '${near}'? `}this session declares ${[...declared.keys()].join(', ')}${problem.hint === undefined ? '' : `; ${problem.hint}`}`;
  throw typeProblemError({ ...problem, message: `no type '${name}' declared in this session, and ${problem.message}`, hint });
}

/**
 * Each definition's layout, as text or a JSON line; `file`: the debug info it
 * was read from (null: the recipe's). Definitions that differ (compile units
 * built with other options or headers) each say where they come from.
 */
function layoutLines(definitions: readonly TypeDefinition[], spelled: string, json: boolean, file: string | null): string[] {
  if (json) return definitions.map((d) => JSON.stringify({ type: 'layout', file, ...layoutJson(layoutOf(d.type, spelled)) }));
  if (definitions.length === 1) return [layoutText(layoutOf(definitions[0]!.type, spelled))];
  const texts = definitions.map((d) => {
    const from = d.unit === undefined ? 'a declaration only' : `as ${d.unit} defines it${d.units > 1 ? ` (and ${d.units - 1} more compile units alike)` : ''}`;
    return `/* ${from} */\n${layoutText(layoutOf(d.type, spelled))}`;
  });
  return [`/* ${spelled}: ${texts.length} different definitions in ${file} */`, texts.join('\n\n')];
}

/** `struct malloc_state` → its tag and name; `PyObject` → a plain name. */
export function parseTypeName(text: string): TypeName {
  const words = text.trim().split(/\s+/);
  if (words.length === 2 && (words[0] === 'struct' || words[0] === 'union' || words[0] === 'enum')) return { tag: words[0], name: words[1]! };
  return { tag: undefined, name: words.join(' ') };
}

/**
 * Every definition `name` has. A plain name is a typedef or base type first,
 * else a struct, union or enum of that name (`malloc_state` finds `struct
 * malloc_state`), as recipes name types.
 */
function definitionsIn(types: DwarfDebugTypes, parsed: TypeName): { spelled: string; definitions: TypeDefinition[] } | undefined {
  const tags: TypeName['tag'][] = parsed.tag !== undefined ? [parsed.tag] : [undefined, 'struct', 'union', 'enum'];
  for (const tag of tags) {
    const definitions = types.definitions({ tag, name: parsed.name });
    if (definitions.length > 0) return { spelled: typeNameText({ tag, name: parsed.name }), definitions };
  }
  return undefined;
}

/** A name not there, with the closest one as a recipe's lookup suggests it. */
function noType(types: DwarfDebugTypes, name: TypeName, where: string): PvmError {
  const lookup = lookupIn(types, name);
  const hint = 'problem' in lookup ? lookup.problem.hint : undefined;
  return new UsageError('no-type', `no type '${typeNameText(name)}' in the debug info of ${where}, read from ${types.path}`, { hint });
}
