// Whether a process still runs the program its journal entries patched. The
// pid and start time say it is the same process, but a process that exec'd
// another program since keeps both: its old memory is gone, and the same
// addresses may now hold anything of the new one. So `pvm status` and `pvm
// revert` also check the executable (/proc/PID/exe) and, for each site in a
// file's mapping, that the address still lies in that file, at the same
// offset, of the same build. (A re-exec of the very same file at the same
// addresses, with no ASLR, is not told apart: its sites hold the file's
// bytes, so they read as reverted.)
import type { MemorySource } from '../../target/target.ts';
import type { JournalEntry } from './journal.ts';
import { ModuleResolver } from '../symbols/modules.ts';
import { hexAddress } from '../../bytes.ts';

/** Why entries of an earlier program image of the process (TargetIdentity.image) no longer apply: it re-exec'd. */
export const REEXECUTED = "it exec'd its program again since pvm patched it";

/** Why the process, running `now` (/proc/PID/exe), no longer runs the executable its entries patched; or undefined. */
export function exeChanged(entries: readonly JournalEntry[], now: string | undefined): string | undefined {
  const then = entries.find((entry) => entry.exe !== undefined)?.exe;
  if (now !== undefined && then !== undefined && undeleted(now) !== undeleted(then)) return `it runs ${now} now, not ${then}: it exec'd another program since pvm patched it`;
  return undefined;
}

/** Why the process no longer holds the program (or module) its entries patched, or undefined when it does. */
export function programChanged(entries: readonly JournalEntry[], target: MemorySource): string | undefined {
  const exe = exeChanged(entries, target.identity.exe);
  if (exe !== undefined) return exe;
  const inFiles = entries.filter((entry) => entry.module !== undefined);
  if (inFiles.length === 0) return undefined;
  const modules = new ModuleResolver(target);
  try {
    const files = modules.filesAt(inFiles.map((entry) => entry.address));
    for (const [i, entry] of inFiles.entries()) {
      const was = entry.module!;
      const is = files[i];
      const site = `the site at ${hexAddress(entry.address)} (${was.path}+${hexAddress(was.offset)} when patched)`;
      if (is === undefined) return `${site} is no longer in that file's mapping: the process exec'd another program, or unloaded that module`;
      if (undeleted(is.path) !== undeleted(was.path) || is.offset !== was.offset) {
        return `${site} is ${is.path}+${hexAddress(is.offset)} now: the process exec'd another program, or unloaded that module and loaded another there`;
      }
      if (is.buildId !== undefined && was.buildId !== undefined && is.buildId !== was.buildId) return `${site} lies in another build of ${was.path} now (build-id ${is.buildId}, not ${was.buildId})`;
    }
    return undefined;
  } finally {
    modules.close();
  }
}

/** A path as the maps and /proc/PID/exe show it, without the ` (deleted)` of a file replaced on disk since it was mapped. */
function undeleted(path: string): string {
  return path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path;
}
