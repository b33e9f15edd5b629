// A directory replaced by a freshly built one, so that what runs from it
// meanwhile keeps working: the fresh directory takes the old one's place in
// two renames (the old one is gone for microseconds, not for the whole
// build). What the build does not make (`carry`: dist/bin, the single
// binary) is hard-linked into the fresh one first, never moved out of the
// live one, so a second build running at the same moment finds it too.
// A pvm already running from the old directory keeps the modules it loaded;
// one it loads later comes from the new one.
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';

/** Puts `fresh` in the place of `target`, with `target`'s entries named in `carry` linked into it first. */
export function replaceDirectory(fresh, target, carry = []) {
  for (const name of carry) {
    if (existsSync(`${target}/${name}`) && !existsSync(`${fresh}/${name}`)) linkTree(`${target}/${name}`, `${fresh}/${name}`);
  }
  const old = `${target}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}

/** `from`'s files hard-linked at `to` (a copy where a link cannot be made). */
function linkTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [source, destination] = [`${from}/${entry.name}`, `${to}/${entry.name}`];
    if (entry.isDirectory()) linkTree(source, destination);
    else {
      try {
        linkSync(source, destination);
      } catch {
        cpSync(source, destination);
      }
    }
  }
}
