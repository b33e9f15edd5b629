// The targets an editor's recipes name, opened read-only as `pvm maps` opens
// them (openSession: the system policy, then --policy, judge the target
// before its memory is touched, and every read goes through the guard), once
// per target and kept while an open document names it: completion asks for
// module and symbol names at every keystroke. A target that cannot be opened
// is asked again only after a while, and its problem is said, never thrown.
import { basename } from 'node:path';
import type { ErrorCode } from '../error-codes.ts';
import { PvmError } from '../errors.ts';
import { debugDirectories, openSession, type Session } from '../api/session.ts';
import { ModuleResolver } from '../runtime/symbols/modules.ts';
import { statWhileRunning } from '../target/process-identity.ts';
import type { TargetIdentity } from '../target/target.ts';
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

type Opened = { readonly target: OpenTarget; readonly current: () => boolean; readonly close: () => void } | { readonly problem: TargetProblem; readonly at: number };

/** One target and the open documents that name it; `opening` undefined once forgotten (opened again when next asked). */
interface Named {
  opening: Promise<Opened> | undefined;
  readonly users: Set<string>;
}

export class TargetNames {
  readonly #open = new Map<string, Named>();
  /** Each document's target, by key. */
  readonly #named = new Map<string, string>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * The target `config` names for the document `uri`, opened (once), or why it cannot be. The target the
   * document named before, when no other document names it, is closed. A live process is asked whether it is
   * still the one opened (its start time) each time: one that exited, or whose pid another process took, is
   * opened again, and so judged again by the policies.
   */
  async target(uri: string, config: TargetConfig): Promise<TargetAnswer<OpenTarget>> {
    const key = keyOf(config);
    this.#name(uri, key);
    const named = this.#open.get(key)!;
    named.opening ??= openTarget(config, this.#now);
    const first = named.opening;
    let opened = await first;
    const stale = 'problem' in opened ? this.#now() - opened.at > RETRY_MS : !opened.current();
    if (stale && named.opening === first && this.#open.get(key) === named) {
      if ('close' in opened) opened.close();
      named.opening = openTarget(config, this.#now);
    }
    if (stale) opened = await (named.opening ?? first);
    return 'problem' in opened ? opened : { value: opened.target };
  }

  /** Forgets a target (it exited, say): the next question opens it again. */
  forget(config: TargetConfig): void {
    const named = this.#open.get(keyOf(config));
    if (named === undefined) return;
    closeWhenOpen(named.opening);
    named.opening = undefined;
  }

  /** The document `uri` names no target (any more): one no other document names is closed. */
  release(uri: string): void {
    const key = this.#named.get(uri);
    if (key === undefined) return;
    this.#named.delete(uri);
    const named = this.#open.get(key);
    named?.users.delete(uri);
    if (named === undefined || named.users.size > 0) return;
    this.#open.delete(key);
    closeWhenOpen(named.opening);
  }

  /** How many targets are open or being opened (for tests). */
  get size(): number {
    return this.#open.size;
  }

  close(): void {
    for (const named of this.#open.values()) closeWhenOpen(named.opening);
    this.#open.clear();
    this.#named.clear();
  }

  #name(uri: string, key: string): void {
    if (this.#named.get(uri) !== key) this.release(uri);
    this.#named.set(uri, key);
    const named = this.#open.get(key);
    if (named === undefined) this.#open.set(key, { opening: undefined, users: new Set([uri]) });
    else named.users.add(uri);
  }
}

/** One key per target: the same process, core or snapshot under the same --policy. */
export function keyOf(config: TargetConfig): string {
  return JSON.stringify([config.spec, config.policy]);
}

function closeWhenOpen(opening: Promise<Opened> | undefined): void {
  void opening?.then((opened) => 'close' in opened && opened.close());
}

/** Whether a live process is still the one opened: the same start time at its pid, not exited (a zombie has). */
function stillRunning(identity: TargetIdentity): boolean {
  if (identity.pid === undefined || identity.startTime === undefined) return true;
  return statWhileRunning(identity.pid, identity.startTime) !== undefined;
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
    current: () => config.spec.kind === 'core' || stillRunning(session.target.identity),
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
