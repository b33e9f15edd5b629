// Whether process_vm_writev can write a range: every byte of it lies in a
// region with write permission (the maps; the kernel checks the same).
import type { Region } from '../target/target.ts';

export function writable(regions: readonly Region[], address: bigint, length: number): boolean {
  return firstUnwritable(regions, address, length) === address + BigInt(length);
}

/** The first address in [address, address+length) no writable region covers (or the end if all are covered). */
export function firstUnwritable(regions: readonly Region[], address: bigint, length: number): bigint {
  const end = address + BigInt(length);
  let at = address;
  while (at < end) {
    const region = regions.find((r) => r.start <= at && at < r.end);
    if (region === undefined || region.perms[1] !== 'w') return at;
    at = region.end;
  }
  return end;
}
