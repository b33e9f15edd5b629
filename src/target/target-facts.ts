// What a policy's `targets` rules look at, gathered before the target's
// memory is touched: for a process, from /proc (its executable's build-id
// from the file /proc/PID/exe names, with no ptrace access needed); for a
// core, only what the core proves: its executable's build-id, from the
// core's own copy of the executable's headers (core-elf.ts). The names a core
// gives (AT_EXECFN, the process name, its uid) are bytes anyone can write, so
// a rule naming exe, comm, uid or cgroup matches no core.
import { accessSync, closeSync, constants, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { attempt } from '../attempt.ts';
import { readElfHeaders } from '../native/elf-headers.ts';
import { parseStatus } from '../native/status.ts';
import type { CoreTarget } from './core-target.ts';
import { readAt } from './file-mapping.ts';
import { openRegularFile } from '../regular-file.ts';
import { readProcText } from '../native/proc-text.ts';

/** What is known of a process (or the process a core was taken of) before its memory is read. */
export interface TargetFacts {
  readonly exe: string | undefined;
  /** The executable's build-id, from its file (or a snapshot's note). */
  readonly buildId: string | undefined;
  readonly uid: number | undefined;
  readonly comm: string | undefined;
  /** Its cgroup paths (/proc/PID/cgroup), e.g. `/system.slice/nginx.service`. */
  readonly cgroups: readonly string[];
  /** A core: it proves only its executable's build-id; the rest is unknown (see above). */
  readonly core?: boolean;
  /**
   * A program pvm would start (`-- COMMAND`): its comm, uid and cgroups are
   * pvm's to choose (a link named nginx to /bin/sh runs with comm nginx), so
   * only an entry that names its `exe` or `buildId` can match it.
   */
  readonly spawn?: boolean;
}

export function liveTargetFacts(pid: number): TargetFacts & { readonly comm: string } {
  const status = attempt(() => parseStatus(readProcText(`/proc/${pid}/status`, 'utf8')));
  return {
    exe: attempt(() => readlinkSync(`/proc/${pid}/exe`)),
    buildId: attempt(() => buildIdOfFile(`/proc/${pid}/exe`)),
    uid: status?.uid[0],
    comm: status?.name ?? '',
    cgroups: cgroupsOf(`/proc/${pid}/cgroup`),
  };
}

export function coreTargetFacts(core: CoreTarget): TargetFacts {
  return { exe: undefined, buildId: core.executableBuildId(), uid: undefined, comm: undefined, cgroups: [], core: true };
}

/** The GNU build-id of an ELF file; undefined for anything else, a FIFO or device among them (never opened to block). */
function buildIdOfFile(path: string): string | undefined {
  const opened = openRegularFile(path);
  if ('problem' in opened) return undefined;
  const { fd } = opened;
  try {
    return readElfHeaders((offset, length) => readAt(fd, offset, length))?.buildId;
  } finally {
    closeSync(fd);
  }
}

/**
 * What a program pvm is asked to start (`-- COMMAND`) will be, told before
 * it starts, so that a policy's `targets` refuse it before it runs with
 * pvm's privileges: the executable execvp would run (a script's interpreter,
 * from its `#!` line), its build-id, the comm the kernel will give it (the
 * basename of the file executed, at most 15 bytes), pvm's real uid (a
 * set-uid program keeps it) and pvm's cgroups (a child starts in them). The
 * started process is judged again from /proc before its memory is touched.
 * The file is looked at, then started by its path: one swapped in between
 * runs unjudged until that second look (docs/policy.md).
 */
export function spawnTargetFacts(file: string, searchPath: string | undefined): TargetFacts {
  const path = commandPath(file, searchPath);
  const exe = path === undefined ? undefined : attempt(() => realpathSync(interpreterOf(path, searchPath) ?? path));
  return {
    exe,
    buildId: exe === undefined ? undefined : attempt(() => buildIdOfFile(exe)),
    uid: process.getuid?.(),
    comm: Buffer.from(basename(path ?? file)).subarray(0, 15).toString('latin1'),
    cgroups: cgroupsOf('/proc/self/cgroup'),
    spawn: true,
  };
}

/** The file execvp runs for `file`: a path as it is, a bare name from `searchPath` (PATH, as the CLI read it; the first executable match). */
function commandPath(file: string, searchPath: string | undefined): string | undefined {
  if (file.includes('/')) return resolve(file);
  for (const directory of (searchPath ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = join(directory === '' ? '.' : directory, file);
    if (attempt(() => (accessSync(candidate, constants.X_OK), statSync(candidate).isFile()))) return resolve(candidate);
  }
  return undefined;
}

/** A script's interpreter (`#!/bin/sh`, `#!/usr/bin/env python3`), or undefined for a binary. */
function interpreterOf(path: string, searchPath: string | undefined): string | undefined {
  const head = attempt(() => {
    // Never blocks: a FIFO named as the command is no script (and execve refuses it).
    const opened = openRegularFile(path);
    if ('problem' in opened) return undefined;
    const { fd } = opened;
    try {
      return Buffer.from(readAt(fd, 0, 256)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  });
  if (head === undefined || !head.startsWith('#!')) return undefined;
  const [interpreter, argument] = head.slice(2).split('\n')[0]!.trim().split(/[ \t]+/);
  if (interpreter === undefined || interpreter === '') return undefined;
  return basename(interpreter) === 'env' && argument !== undefined ? commandPath(argument, searchPath) : interpreter;
}

/** The cgroup paths of a /proc/PID/cgroup file (`0::/system.slice/nginx.service` → `/system.slice/nginx.service`). */
export function cgroupsOf(file: string): string[] {
  return (attempt(() => readFileSync(file, 'utf8')) ?? '')
    .split('\n')
    .map((line) => line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1))
    .filter((path) => path.startsWith('/'));
}
