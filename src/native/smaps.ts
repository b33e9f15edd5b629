// /proc/PID/smaps: the maps lines, each followed by the mapping's details,
// among them one `VmFlags:` line. One read gives a scan both the map and the
// flags it skips mappings by (reads with side effects, or that can block:
// docs/kernel.md §4).
import { type MapsEntry, parseMaps } from './maps.ts';

/** The maps-format lines of smaps (one per mapping), as /proc/PID/maps gives them: the same map if equal. */
export function mapsLinesOf(smapsText: string): string[] {
  return smapsText.split('\n').filter((line) => HEADER.test(line));
}

/** A maps-format line: `start-end perms …`; the details lines are `Key: value`. */
const HEADER = /^([0-9a-f]+)-([0-9a-f]+) /;

export interface Smaps {
  readonly entries: MapsEntry[];
  /** VmFlags by mapping start address. */
  readonly vmFlags: Map<bigint, readonly string[]>;
  /**
   * Starts of the mappings whose every page is in the page tables (Rss =
   * Size): a scan needs no pagemap read to find their untouched pages, there
   * are none. Swapped pages are left to pagemap: smaps counts a shared memory
   * page swapped out in Swap with no page table entry, which pagemap does not.
   */
  readonly held: Set<bigint>;
}

/** A details line giving kB: `Size:   1024 kB`. */
const KILOBYTES = /^(Size|Rss):\s+(\d+) kB/;

export function parseSmaps(text: string): Smaps {
  const headers: string[] = [];
  const vmFlags = new Map<bigint, readonly string[]>();
  const held = new Set<bigint>();
  let start: bigint | undefined;
  let size = -1;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header !== null) {
      headers.push(line);
      start = BigInt(`0x${header[1]}`);
      size = -1;
      continue;
    }
    if (start === undefined) continue;
    const kilobytes = KILOBYTES.exec(line);
    if (kilobytes !== null) {
      // Size comes first, then Rss.
      if (kilobytes[1] === 'Size') size = Number(kilobytes[2]);
      else if (size > 0 && Number(kilobytes[2]) === size) held.add(start);
    } else if (line.startsWith('VmFlags:')) vmFlags.set(start, line.slice('VmFlags:'.length).trim().split(/\s+/));
  }
  return { entries: parseMaps(headers.join('\n')), vmFlags, held };
}
