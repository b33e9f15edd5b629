// --name NAME → one pid, like `pidof`, but a name that matches several
// processes is an error listing them: a recipe must not pick one at random.
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { TargetError } from '../errors.ts';
import { closest } from '../suggest.ts';
import { readProcText } from '../native/proc-text.ts';

export function findProcessByName(name: string, self: number): number {
  const matches: { pid: number; comm: string }[] = [];
  /** Every process's names, for a suggestion when none matches. */
  const names = new Set<string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === self) continue;
    try {
      const comm = readProcText(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
      const argv0 = readProcText(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      // comm is cut to 15 bytes, so a longer name is matched against argv[0] too.
      if (comm === name || basename(argv0) === name) matches.push({ pid, comm });
      names.add(comm).add(basename(argv0));
    } catch {
      // The process exited while we looked; it cannot be the target.
    }
  }
  matches.sort((a, b) => a.pid - b.pid); // readdir's order is the kernel's, not numeric
  const [first, second] = matches;
  if (first === undefined) {
    // `demo` for demo-target: a prefix is the likeliest slip, then a typo.
    const near = [...names].filter((n) => n !== '').sort().find((n) => n.startsWith(name)) ?? closest(name, names);
    throw new TargetError('no-such-process', `no process named '${name}'`, { hint: `${near === undefined ? '' : `did you mean '${near}'? `}check the name with \`ps -e\`, or pass --pid N` });
  }
  if (second !== undefined) {
    const list = matches.slice(0, 8).map((m) => m.pid).join(', ');
    throw new TargetError('ambiguous-process', `${matches.length} processes are named '${name}' (pids ${list}${matches.length > 8 ? ', …' : ''})`, {
      hint: 'pick one with --pid N',
    });
  }
  return first.pid;
}
