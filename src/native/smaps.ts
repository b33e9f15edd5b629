// /proc/PID/smaps: the maps lines, each followed by the mapping's details,
// among them one `VmFlags:` line. One read gives a scan both the map and the
// flags it skips mappings by (reads with side effects, or that can block:
// KERNEL.md §4).
import { type MapsEntry, parseMaps } from './maps.ts';

/** A maps-format line: `start-end perms …`; the details lines are `Key: value`. */
const HEADER = /^([0-9a-f]+)-([0-9a-f]+) /;

export interface Smaps {
  readonly entries: MapsEntry[];
  /** VmFlags by mapping start address. */
  readonly vmFlags: Map<bigint, readonly string[]>;
}

export function parseSmaps(text: string): Smaps {
  const headers: string[] = [];
  const vmFlags = new Map<bigint, readonly string[]>();
  let start: bigint | undefined;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header !== null) {
      headers.push(line);
      start = BigInt(`0x${header[1]}`);
      continue;
    }
    if (start !== undefined && line.startsWith('VmFlags:')) vmFlags.set(start, line.slice('VmFlags:'.length).trim().split(/\s+/));
  }
  return { entries: parseMaps(headers.join('\n')), vmFlags };
}
