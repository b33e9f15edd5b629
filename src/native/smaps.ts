// The VmFlags of each mapping, from /proc/PID/smaps (one `VmFlags:` line per
// mapping, after its maps-format header). Scans use them to skip mappings
// where a read has side effects or can block (KERNEL.md §4).

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) /;

/** VmFlags by mapping start address. */
export function parseVmFlags(smaps: string): Map<bigint, readonly string[]> {
  const flags = new Map<bigint, readonly string[]>();
  let start: bigint | undefined;
  for (const line of smaps.split('\n')) {
    const header = HEADER.exec(line);
    if (header !== null) {
      start = BigInt(`0x${header[1]}`);
      continue;
    }
    if (start !== undefined && line.startsWith('VmFlags:')) flags.set(start, line.slice('VmFlags:'.length).trim().split(/\s+/));
  }
  return flags;
}
