// The targets an editor's recipes name, opened read-only as `pvm maps` opens
// them (openSession: the system policy, then --policy, judge the target
// before its memory is touched, and every read goes through the guard), once
// per target and kept: completion asks for module and symbol names at every
// keystroke. A target that cannot be opened is asked again only after a
// while, and its problem is said, never thrown.
import { basename } from 'node:path';
import type { ErrorCode } from '../error-codes.ts';
import { PvmError } from '../errors.ts';
import { debugDirectories, openSession, type Session } from '../api/session.ts';
import { ModuleResolver } from '../runtime/symbols/modules.ts';
import type { TypeSource } from '../types/type-source.ts';
import type { TargetConfig } from './target-config.ts';

/** How long a target that could not be opened is left before it is tried again. */
const RETRY_MS = 5_000;

/** Why a target gives no names: what, why, and how to fix it. */
export interface TargetProblem {
  /** The error's own code (`no-process`, `policy-denied` …); undefined for a bug in pvm. */
  readonly code: ErrorCode | undefined;
  readonly message: string;
  readonly hint: string | undefined;
}

/** An open target: its modules, their symbols, and its types. */
export interface OpenTarget {
  /** The files it maps, by basename (as module("…") names them), each with its path. */
  moduleNames(): TargetAnswer<readonly { readonly name: string; readonly path: string }[]>;
  /** The symbols of one of its modules (as symbol("MODULE", "…") names them). */
  symbolNames(module: string): TargetAnswer<readonly string[]>;
  /** The types of its modules' debug info, for a recipe that names them. */
  types(): Promise<TypeSource>;
}

export type TargetAnswer<T> = { readonly value: T } | { readonly problem: TargetProblem };

type Opened = { readonly target: OpenTarget; readonly close: () => void } | { readonly problem: TargetProblem; readonly at: number };

export class TargetNames {
  readonly #open = new Map<string, Promise<Opened>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The target `config` names, opened (once), or why it cannot be. */
  async target(config: TargetConfig): Promise<TargetAnswer<OpenTarget>> {
    const key = JSON.stringify([config.spec, config.policy]);
    let opening = this.#open.get(key);
    const known = opening === undefined ? undefined : await opening;
    if (known !== undefined && 'problem' in known && this.#now() - known.at > RETRY_MS) opening = undefined;
    if (opening === undefined) {
      opening = openTarget(config, this.#now);
      this.#open.set(key, opening);
    }
    const opened = await opening;
    return 'problem' in opened ? opened : { value: opened.target };
  }

  /** Forgets a target (it exited, say): the next question opens it again. */
  forget(config: TargetConfig): void {
    const key = JSON.stringify([config.spec, config.policy]);
    void this.#open.get(key)?.then((opened) => 'close' in opened && opened.close());
    this.#open.delete(key);
  }

  close(): void {
    for (const opening of this.#open.values()) void opening.then((opened) => 'close' in opened && opened.close());
    this.#open.clear();
  }
}

async function openTarget(config: TargetConfig, now: () => number): Promise<Opened> {
  let session: Session;
  try {
    const { loadPolicies } = await import('../policy/system.ts');
    session = await openSession(config.spec, await loadPolicies(config.policy), undefined, { quietStdout: true });
  } catch (error) {
    return { problem: problemOf(error, config), at: now() };
  }
  const resolver = new ModuleResolver(session.target, { debugDirectories: debugDirectories() });
  const symbols = new Map<string, readonly string[]>();
  let types: Promise<TypeSource> | undefined;
  const target: OpenTarget = {
    moduleNames: () =>
      answer(config, () => {
        const paths = resolver.modulePaths();
        return paths.map((path) => ({ name: basename(path), path }));
      }),
    symbolNames: (module) =>
      answer(config, () => {
        let names = symbols.get(module);
        if (names === undefined) symbols.set(module, names = resolver.symbolNames(module).sort());
        return names;
      }),
    types: () => types ??= session.types(),
  };
  return {
    target,
    close: () => {
      resolver.close();
      session.close();
    },
  };
}

function answer<T>(config: TargetConfig, work: () => T): TargetAnswer<T> {
  try {
    return { value: work() };
  } catch (error) {
    return { problem: problemOf(error, config) };
  }
}

/** A PvmError says what, why and how to fix it; anything else is a bug, said as one. */
function problemOf(error: unknown, config: TargetConfig): TargetProblem {
  if (error instanceof PvmError) return { code: error.code, message: `target ${config.text}: ${error.message}`, hint: error.hint };
  return { code: undefined, message: `target ${config.text}: pvm could not open it (a bug in pvm, please report it): ${(error as Error)?.message ?? String(error)}`, hint: undefined };
}
