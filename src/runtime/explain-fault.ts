// Turns "the read stopped at address A" into why: not mapped (and what is
// nearest), mapped without the permission, or mapped but refused by the kernel.
import type { Region } from '../target/target.ts';
import { hexAddress } from '../bytes.ts';

export function describeRegion(region: Region): string {
  const name = region.path === '' ? '(anonymous)' : region.path + (region.deleted ? ' (deleted)' : '');
  return `${hexAddress(region.start)}-${hexAddress(region.end)} ${region.perms} ${name}`;
}

/** Why `address` could not be accessed, for `access` 'r' (read) or 'w' (write); `space` is e.g. `pid 4242`. */
export function explainFault(address: bigint, regions: readonly Region[], space: string, access: 'r' | 'w'): string {
  const region = regions.find((r) => r.start <= address && address < r.end);
  if (region !== undefined) {
    const verb = access === 'r' ? 'read' : 'write';
    if (!region.perms.includes(access)) return `${hexAddress(address)} in ${space} lies in ${describeRegion(region)}, which has no ${verb} permission`;
    return `${hexAddress(address)} in ${space} lies in ${describeRegion(region)}, but the kernel refused to ${verb} it (a device or guard mapping?)`;
  }
  let nearest: Region | undefined;
  let distance: bigint | undefined;
  for (const r of regions) {
    const d = address < r.start ? r.start - address : address - r.end + 1n;
    if (distance === undefined || d < distance) {
      nearest = r;
      distance = d;
    }
  }
  const near = nearest === undefined ? 'it has no mapped regions' : `nearest region: ${describeRegion(nearest)}`;
  return `${hexAddress(address)} is not mapped in ${space} (${near})`;
}
