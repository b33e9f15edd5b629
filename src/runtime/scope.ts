// The names a running block sees: its own, then its enclosing blocks'.
// The checker has already rejected unknown, duplicate and read-only names.
import { assert } from '../errors.ts';
import type { Value } from './value.ts';

export class Scope {
  readonly #values = new Map<string, Value>();
  /** The names `let` declared here (not the initial ones): the REPL takes their new types. */
  readonly #declared = new Set<string>();
  readonly #parent: Scope | undefined;

  constructor(parent?: Scope, initial?: ReadonlyMap<string, Value>) {
    this.#parent = parent;
    if (initial !== undefined) { for (const [name, value] of initial) this.#values.set(name, value); }
  }

  get(name: string): Value | undefined {
    return this.#values.get(name) ?? this.#parent?.get(name);
  }

  declare(name: string, value: Value): void {
    this.#values.set(name, value);
    this.#declared.add(name);
  }

  /** Replaces the value of an existing name, in the block that declared it. */
  assign(name: string, value: Value): void {
    if (this.#values.has(name)) this.#values.set(name, value);
    else if (this.#parent !== undefined) this.#parent.assign(name, value);
    else assert(false, `assignment to undeclared ${name}`);
  }

  /** The names declared in this block itself (for the REPL: the top level's, carried to its next input). */
  own(): ReadonlyMap<string, Value> {
    return new Map(this.#values);
  }

  /** The names declared in this block while it ran (its initial names only if declared anew). */
  declared(): ReadonlySet<string> {
    return new Set(this.#declared);
  }

  child(): Scope {
    return new Scope(this);
  }
}
