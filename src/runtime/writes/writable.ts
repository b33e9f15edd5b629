// Whether process_vm_writev can write a range: every byte of it lies in a
// region with write permission (the maps; the kernel checks the same).
import { firstUncovered } from '../../target/ranges.ts';
import type { Region } from '../../target/target.ts';

export function writable(regions: readonly Region[], address: bigint, length: number): boolean {
  return firstUnwritable(regions, address, length) === address + BigInt(length);
}

/** The first address in [address, address+length) no writable region covers (or the end if all are covered). */
export function firstUnwritable(regions: readonly Region[], address: bigint, length: number): bigint {
  return firstUncovered(regions, address, length, (region) => region.perms[1] === 'w');
}
