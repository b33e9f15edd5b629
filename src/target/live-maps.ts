// The memory map of a live process, /proc/PID/maps, parsed once for the same
// text.
import { readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { type MapsEntry, parseMaps, undoFalseDeletions } from '../native/maps.ts';
import { mapsLinesOf } from '../native/smaps.ts';
import { isMappedPath } from './file-mapping.ts';
import { translate } from './live-errors.ts';
import type { TargetIdentity } from './target.ts';

export class LiveMaps {
  readonly #identity: TargetIdentity;
  /** The maps text last parsed, and its entries (see `parsed`). */
  #text: string | undefined;
  #entries: MapsEntry[] = [];

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
    const text = readFileSync(`/proc/${this.#identity.pid}/maps`, 'latin1');
    if (text !== this.#text) {
      this.#entries = parseMaps(text);
      this.#text = text;
    }
    return this.#entries;
  }

  /** Whether /proc/PID/maps lists exactly the mappings of this smaps text. */
  unchangedSince(smapsText: string): boolean {
    const now = attempt(() => readFileSync(`/proc/${this.#identity.pid}/maps`, 'latin1').split('\n').filter((line) => line !== ''));
    const then = mapsLinesOf(smapsText);
    return now !== undefined && now.length === then.length && now.every((line, i) => line === then[i]);
  }
}
