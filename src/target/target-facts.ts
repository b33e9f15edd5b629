// What a policy's `targets` rules look at, gathered before the target's
// memory is touched: for a process, from /proc (its executable's build-id
// from the file /proc/PID/exe names, with no ptrace access needed); for a
// core, from what the core says of the process it was taken of.
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { readElfHeaders } from '../native/elf-headers.ts';
import { parseStatus } from '../native/status.ts';
import type { TargetFacts } from '../policy/decide.ts';
import type { CoreTarget } from './core-target.ts';
import { readAt } from './file-mapping.ts';

export function liveTargetFacts(pid: number): TargetFacts {
  const status = attempt(() => parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')));
  return {
    exe: attempt(() => readlinkSync(`/proc/${pid}/exe`)),
    buildId: attempt(() => buildIdOfFile(`/proc/${pid}/exe`)),
    uid: status?.uid[0],
    comm: status?.name ?? '',
    cgroups: (attempt(() => readFileSync(`/proc/${pid}/cgroup`, 'utf8')) ?? '')
      .split('\n')
      .map((line) => line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1))
      .filter((path) => path.startsWith('/')),
  };
}

export function coreTargetFacts(core: CoreTarget): TargetFacts {
  const { exe, name } = core.identity;
  return {
    exe,
    buildId: core.snapshot?.modules.find((m) => m.path === exe)?.buildId,
    uid: core.layout.process?.uid,
    comm: name,
    cgroups: [],
  };
}

function buildIdOfFile(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    return readElfHeaders((offset, length) => readAt(fd, offset, length))?.buildId;
  } finally {
    closeSync(fd);
  }
}
