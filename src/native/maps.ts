// Parser for /proc/PID/maps (docs/kernel.md §4). The path is the rest of the line
// and may contain spaces; the kernel writes a newline as `\012` and appends
// ` (deleted)` to unlinked files.

export interface MapsEntry {
  readonly start: bigint;
  readonly end: bigint;
  /** `r-xp`: read, write, execute, then `p`rivate or `s`hared. */
  readonly perms: string;
  readonly offset: bigint;
  /** `fd:01` */
  readonly device: string;
  /** Decimal, kept as text: inode numbers may exceed 2^53. */
  readonly inode: string;
  /** The file or pseudo-name (`[heap]`, `[stack]`, `[vdso]`…), decoded; '' for anonymous. */
  readonly path: string;
  /** The kernel marked the file ` (deleted)`. */
  readonly deleted: boolean;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-][sp]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+) *(.*)$/;
const DELETED = ' (deleted)';

/**
 * The kernel appends ` (deleted)` to an unlinked file's name, and a file may
 * truly be named `lib (deleted)`. An entry marked deleted whose full name is a
 * file with the mapping's device and inode (`exists`) is that file, not
 * deleted.
 */
export function undoFalseDeletions(entries: readonly MapsEntry[], exists: (entry: MapsEntry, path: string) => boolean): MapsEntry[] {
  return entries.map((entry) => (entry.deleted && exists(entry, `${entry.path}${DELETED}`) ? { ...entry, path: `${entry.path}${DELETED}`, deleted: false } : entry));
}

/** Parses maps text; throws on a malformed line (that would be a kernel format change). */
export function parseMaps(text: string): MapsEntry[] {
  const entries: MapsEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) throw new Error(`unrecognised /proc/PID/maps line: ${JSON.stringify(line)}`);
    let path = m[7] ?? '';
    const deleted = path.endsWith(DELETED);
    if (deleted) path = path.slice(0, -DELETED.length);
    entries.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      perms: m[3] ?? '',
      offset: BigInt(`0x${m[4]}`),
      device: m[5] ?? '',
      inode: m[6] ?? '0',
      path: path.replaceAll('\\012', '\n'),
      deleted,
    });
  }
  return entries;
}
