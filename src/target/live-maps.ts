// The memory map of a live process, /proc/PID/maps, parsed once for the same
// text, and read once while the process is frozen.
import { attempt } from '../attempt.ts';
import { type MapsEntry, parseMaps, undoFalseDeletions } from '../native/maps.ts';
import { mapsLinesOf } from '../native/smaps.ts';
import { isMappedPath } from './file-mapping.ts';
import { translate } from './live-errors.ts';
import type { TargetIdentity } from './target.ts';
import { readProcText } from '../native/proc-text.ts';

export class LiveMaps {
  readonly #identity: TargetIdentity;
  /** The maps text last parsed, and its entries (see `parsed`). */
  #text: string | undefined;
  #entries: MapsEntry[] = [];
  /** Holds taken (see `hold`), and the map read first under them. */
  #holds = 0;
  #held: MapsEntry[] | undefined;

  constructor(identity: TargetIdentity) {
    this.#identity = identity;
  }

  /** The map as it is now, its deleted files checked (a file replaced on disk is not deleted); errors say why it cannot be read. */
  current(): MapsEntry[] {
    try {
      const root = `/proc/${this.#identity.pid}/root`;
      return undoFalseDeletions(this.parsed(), (entry, path) => isMappedPath(`${root}${path}`, entry));
    } catch (error) {
      throw translate(error, this.#identity);
    }
  }

  /**
   * The entries of the maps as they are now, parsed once for the same text: a
   * patch reads the maps five or six times (symbols, checks, quick reads),
   * nearly always unchanged, and parsing took more time than reading (~25 µs
   * each).
   */
  parsed(): MapsEntry[] {
    if (this.#held !== undefined) return this.#held;
    const text = readProcText(`/proc/${this.#identity.pid}/maps`);
    if (text !== this.#text) {
      this.#entries = parseMaps(text);
      this.#text = text;
    }
    if (this.#holds > 0) this.#held = this.#entries;
    return this.#entries;
  }

  /**
   * From now until the returned release, the map read first is the map: for
   * while every thread of the process is stopped, when none of them can map,
   * unmap or protect anything. A patch's checks, stack scan and read-back
   * inside its freeze read the map once instead of three times (~25 µs a
   * read). Like every read of the map, a check of a moment: it locks nothing.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holds === 0) this.#held = undefined;
    };
  }

  /** Whether /proc/PID/maps lists exactly the mappings of this smaps text. */
  unchangedSince(smapsText: string): boolean {
    const now = attempt(() => readProcText(`/proc/${this.#identity.pid}/maps`).split('\n').filter((line) => line !== ''));
    const then = mapsLinesOf(smapsText);
    return now !== undefined && now.length === then.length && now.every((line, i) => line === then[i]);
  }
}
