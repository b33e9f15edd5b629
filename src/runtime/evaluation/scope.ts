// The names a running block sees: its own, then its enclosing blocks'.
// The checker has already rejected unknown, duplicate and read-only names.
// A loop makes one scope per iteration, most holding a name or two: names and
// values sit in two small arrays searched from the end (no Map per iteration);
// past INDEXED names a Map finds them (200 000 top-level lets searched the
// array once each: 103 s).
import { assert } from '../../errors.ts';
import type { Value } from './value.ts';

/** Names a scope holds before a Map indexes them. */
const INDEXED = 32;

export class Scope {
  readonly #names: string[] = [];
  readonly #values: Value[] = [];
  /** Where each name is in #names, once there are more than INDEXED. */
  #index: Map<string, number> | undefined;
  /** The names `let` declared here (not the initial ones): the REPL takes their new types. */
  #declared: Set<string> | undefined;
  readonly #parent: Scope | undefined;

  constructor(parent?: Scope, initial?: ReadonlyMap<string, Value>) {
    this.#parent = parent;
    if (initial !== undefined) {
      for (const [name, value] of initial) this.#add(name, value);
    }
  }

  /** Where `name` is in this block's arrays, or -1 (each name is there once). */
  #find(name: string): number {
    return this.#index === undefined ? this.#names.lastIndexOf(name) : this.#index.get(name) ?? -1;
  }

  #add(name: string, value: Value): void {
    this.#names.push(name);
    this.#values.push(value);
    if (this.#index !== undefined) this.#index.set(name, this.#names.length - 1);
    else if (this.#names.length > INDEXED) this.#index = new Map(this.#names.map((n, i) => [n, i]));
  }

  get(name: string): Value | undefined {
    const i = this.#find(name);
    return i >= 0 ? this.#values[i] : this.#parent?.get(name);
  }

  declare(name: string, value: Value): void {
    // A name declared again in the same block (a REPL input's `let`) replaces the old one.
    const i = this.#find(name);
    if (i >= 0) this.#values[i] = value;
    else this.#add(name, value);
    if (this.#parent === undefined) (this.#declared ??= new Set()).add(name);
  }

  /** Replaces the value of an existing name, in the block that declared it. */
  assign(name: string, value: Value): void {
    const i = this.#find(name);
    if (i >= 0) this.#values[i] = value;
    else if (this.#parent !== undefined) this.#parent.assign(name, value);
    else assert(false, `assignment to undeclared ${name}`);
  }

  /** The names declared in this block itself (for the REPL: the top level's, carried to its next input). */
  own(): ReadonlyMap<string, Value> {
    return new Map(this.#names.map((name, i) => [name, this.#values[i]!]));
  }

  /** The names a `let` declared in this top-level block while it ran (its initial names only if declared anew). */
  declared(): ReadonlySet<string> {
    return new Set(this.#declared);
  }

  /** Forgets this block's names, for the next iteration of a loop body. */
  clear(): void {
    // Popped, not `length = 0`: truncating an array is a slow path in V8, and a body declares a name or two.
    while (this.#names.length > 0) {
      this.#names.pop();
      this.#values.pop();
    }
    this.#index = undefined;
  }

  child(): Scope {
    return new Scope(this);
  }
}
