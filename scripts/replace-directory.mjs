// A directory replaced by a freshly built one, so that what runs from it
// meanwhile keeps working: the fresh directory takes the old one's place in
// two renames (the old one is gone for microseconds, not for the whole
// build), and what the build does not make (`carry`: dist/bin, the single
// binary) is moved over as it was.
import { existsSync, renameSync, rmSync } from 'node:fs';

/** Puts `fresh` in the place of `target`, moving `target`'s entries named in `carry` into it first. */
export function replaceDirectory(fresh, target, carry = []) {
  for (const name of carry) {
    if (existsSync(`${target}/${name}`) && !existsSync(`${fresh}/${name}`)) renameSync(`${target}/${name}`, `${fresh}/${name}`);
  }
  const old = `${target}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}
