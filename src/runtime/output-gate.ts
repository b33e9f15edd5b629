// What a run outputs, in the recipe's order with its writes: writes wait in a
// buffer until the next read (writes/write-buffer.ts), and what the recipe outputs
// meanwhile waits with them, so that the output says "wrote" only of writes
// that landed.
import type { OutputEvent } from './execute.ts';

export class OutputGate {
  readonly #emit: (event: OutputEvent) => void;
  readonly #held: OutputEvent[] = [];
  /** The writes still waiting, if the run writes. */
  #pending: (() => number) | undefined;

  constructor(emit: (event: OutputEvent) => void) {
    this.#emit = emit;
  }

  /** Holds events while writes wait (`pending` says how many). */
  holdWhile(pending: () => number): void {
    this.#pending = pending;
  }

  readonly output = (event: OutputEvent): void => {
    if (this.#pending !== undefined && (this.#held.length > 0 || this.#pending() > 0)) this.#held.push(event);
    else this.#emit(event);
  };

  /** The buffer sent its writes, `landed` of them: what was held goes out, up to the first write that did not land. */
  readonly release = (landed: number): void => {
    for (const event of this.#held) {
      if (event.type === 'write' && event.status === 'wrote' && landed-- <= 0) break; // this write and what follows did not happen
      this.#emit(event);
    }
    this.#held.length = 0;
  };
}
