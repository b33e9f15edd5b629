// The memory map as those who work answers out of it take it: a live map is
// re-read at most every MAP_RECHECK_MS (reading /proc/PID/maps costs ~45 µs;
// a loop may ask a million times), or at once when asked for it fresh. Its
// `version` changes when the mappings do, so an answer worked out from one
// map (a policy's region rules, a symbol's address) is kept while the
// version is the same and worked out again once it is not.
import type { Region } from './target.ts';

/** How stale a watched map may be, at most, unless the reader asks for it fresh. */
export const MAP_RECHECK_MS = 10;

/** Whether two maps list the same mappings. */
export function sameMap(a: readonly Region[], b: readonly Region[]): boolean {
  return a === b || (a.length === b.length && a.every((r, i) => r.start === b[i]!.start && r.end === b[i]!.end && r.perms === b[i]!.perms && r.offset === b[i]!.offset && r.path === b[i]!.path));
}

export class MapWatch {
  readonly #source: { regions(): readonly Region[] };
  readonly #now: () => number;
  #regions: readonly Region[] | undefined;
  #checkedAt = 0;
  #version = 0;

  constructor(source: { regions(): readonly Region[] }, now: () => number = () => performance.now()) {
    this.#source = source;
    this.#now = now;
  }

  /** Counts the changes of the map seen so far (0 before it was first read). */
  get version(): number {
    return this.#version;
  }

  /** The map last read, if it was (without reading it). */
  get last(): readonly Region[] | undefined {
    return this.#regions;
  }

  /** The map: as last read while that was less than MAP_RECHECK_MS ago, unless `fresh`; else as it is now. */
  regions(fresh = false): readonly Region[] {
    if (this.#regions !== undefined && !fresh && this.#now() - this.#checkedAt < MAP_RECHECK_MS) return this.#regions;
    const current = this.#source.regions();
    this.#checkedAt = this.#now();
    if (this.#regions === undefined || !sameMap(current, this.#regions)) {
      this.#regions = current;
      this.#version++;
    }
    return this.#regions;
  }
}
