// --match SELECTOR (README, "Use"): every process for which each `key=value` holds.
// exe=PATH (as /proc/PID/exe shows it), name=COMM, module=NAME (maps a file
// whose path is NAME, ends in /NAME, or has basename NAME), build-id=HEX (of
// the executable or any mapped module), uid=N (real uid), cgroup=PATH (in it
// or below it). Read from /proc only: no process is stopped or read.
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { openRegularFile } from '../regular-file.ts';
import { basename } from 'node:path';
import { attempt } from '../attempt.ts';
import { cgroupsOf } from './target-facts.ts';
import { TargetError, UsageError } from '../errors.ts';
import { readElfHeaders } from '../native/elf-headers.ts';
import { parseMaps } from '../native/maps.ts';
import { namesModule } from './target.ts';
import { parseStatus } from '../native/status.ts';
import { closest, editDistance } from '../suggest.ts';
import { readAt } from './file-mapping.ts';
import { readProcText } from '../native/proc-text.ts';

export interface Selector {
  readonly text: string;
  readonly exe?: string;
  readonly name?: string;
  readonly module?: string;
  readonly buildId?: string;
  readonly uid?: number;
  readonly cgroup?: string;
}

const KEYS = ['exe', 'name', 'module', 'build-id', 'uid', 'cgroup'];

export function parseSelector(text: string): Selector {
  const fail = (why: string, hint = 'write e.g. --match exe=/usr/sbin/nginx,uid=33'): never => {
    throw new UsageError('usage', `--match ${text}: ${why}`, { hint });
  };
  const selector: Record<string, string | number> = { text };
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq < 0 ? part.length : eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!KEYS.includes(key)) fail(`unknown key '${key}'`, closest(key, KEYS) !== undefined ? `did you mean ${closest(key, KEYS)}=…?` : `the keys are ${KEYS.join(', ')}`);
    if (value === '') fail(`${key} needs a value`);
    const field = key === 'build-id' ? 'buildId' : key;
    if (field in selector) fail(`${key} is given twice`);
    if (key === 'uid') {
      if (!/^[0-9]+$/.test(value)) fail(`uid=${value} is not a number`);
      selector.uid = Number(value);
    } else if (key === 'build-id') {
      if (!/^[0-9a-fA-F]+$/.test(value)) fail(`build-id=${value} is not hex`);
      selector.buildId = value.toLowerCase();
    } else selector[field] = value;
  }
  return selector as unknown as Selector;
}

/** The pids of the processes that match, in numeric order (pvm itself and kernel threads never do). */
export function selectProcesses(selector: Selector, self: number): number[] {
  const buildIds = new Map<string, string | undefined>(); // by device:inode: each file read once
  return userProcesses(self).filter((pid) => matchesSelector(pid, selector, buildIds));
}

/** Whether the process holds every key (false for pvm itself, a kernel thread, a zombie, one gone). */
export function matchesSelector(pid: number, selector: Selector, buildIds: Map<string, string | undefined>): boolean {
  return attempt(() => failingKeys(pid, selector, buildIds, false)?.length === 0) === true;
}

/**
 * Whether the keys a process shows before its libraries are mapped hold (name, exe, uid, cgroup): `--follow`
 * waits for a process to be ready only when they do. A selector of module= or build-id= alone waits for each.
 */
export function mayMatchBeforeLoaded(pid: number, selector: Selector): boolean {
  const { module: _module, buildId: _buildId, ...early } = selector;
  return matchesSelector(pid, early, new Map());
}

/** The error when no process matches: the nearest processes, each with the keys that do not hold. */
export function noProcessMatches(selector: Selector): TargetError {
  const near = nearestProcesses(selector, process.pid);
  const list = near.map((p) => `\n  pid ${p.pid} (${p.comm}): ${p.failing.join(', ')} does not hold`).join('');
  return new TargetError('no-such-process', `no process matches --match ${selector.text}${near.length === 0 ? '' : `; the nearest:${list}`}`, {
    hint: 'every key must hold; check the selector against `ps -eo pid,uid,comm,exe`',
  });
}

/**
 * When nothing matches: the processes nearest to matching, for the message
 * (those for which the fewest keys fail; among them, the closest names), each
 * with the keys that do not hold.
 */
export function nearestProcesses(selector: Selector, self: number, limit = 5): { pid: number; comm: string; failing: string[] }[] {
  const buildIds = new Map<string, string | undefined>();
  const near = userProcesses(self).flatMap((pid) => {
    const failing = attempt(() => failingKeys(pid, selector, buildIds, true));
    const comm = attempt(() => readProcText(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, ''));
    if (failing === undefined || comm === undefined) return [];
    const exe = attempt(() => basename(readlinkSync(`/proc/${pid}/exe`))) ?? '';
    const distance = selector.name !== undefined ? editDistance(comm, selector.name) : selector.exe !== undefined ? editDistance(exe, basename(selector.exe)) : 0;
    return [{ pid, comm, failing, distance }];
  });
  near.sort((a, b) => a.failing.length - b.failing.length || a.distance - b.distance || a.pid - b.pid);
  return near.slice(0, limit).map(({ pid, comm, failing }) => ({ pid, comm, failing }));
}

/** Numeric entries of /proc: every process (and no thread). */
export function listProcesses(): number[] {
  return readdirSync('/proc').filter((entry) => entry.charCodeAt(0) <= 57 && /^[0-9]+$/.test(entry)).map(Number);
}

/** Every process, less pvm itself, in numeric order. */
export function userProcesses(self: number): number[] {
  return listProcesses().filter((pid) => pid !== self).sort((a, b) => a - b);
}

/**
 * The selector's keys that do not hold for the process, as `key=value`
 * (`all`: every one; else the first only); undefined for a kernel thread or
 * a zombie, which never match.
 */
function failingKeys(pid: number, selector: Selector, buildIds: Map<string, string | undefined>, all: boolean): string[] | undefined {
  const stat = readProcText(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if ((Number(fields[6] ?? 0) & 0x00200000) !== 0 || fields[0] === 'Z') return undefined;
  const failing: string[] = [];
  /** A key given in the selector is tested (unless a key failed already and `all` is not asked for). */
  const check = (key: string, value: string | number | undefined, holds: () => boolean): void => {
    if (value === undefined || (!all && failing.length > 0)) return;
    if (attempt(holds) !== true) failing.push(`${key}=${value}`);
  };
  check('name', selector.name, () => readProcText(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '') === selector.name);
  check('exe', selector.exe, () => readlinkSync(`/proc/${pid}/exe`) === selector.exe);
  check('uid', selector.uid, () => parseStatus(readProcText(`/proc/${pid}/status`, 'utf8')).uid[0] === selector.uid);
  check('cgroup', selector.cgroup, () => {
    const want = selector.cgroup!.replace(/\/+$/, '') || '/';
    const paths = cgroupsOf(`/proc/${pid}/cgroup`);
    return paths.some((path) => path === want || path.startsWith(want === '/' ? '/' : `${want}/`));
  });
  if (selector.module === undefined && selector.buildId === undefined) return failing;
  if (!all && failing.length > 0) return failing;
  const maps = attempt(() => parseMaps(readProcText(`/proc/${pid}/maps`))) ?? [];
  check('module', selector.module, () => {
    const name = selector.module!;
    return maps.some((m) => m.path.startsWith('/') && namesModule(m.path, name));
  });
  check('build-id', selector.buildId, () => {
    const files = maps.filter((m) => m.path.startsWith('/') && m.offset === 0n);
    const idOf = (m: (typeof files)[number]): string | undefined => {
      const key = `${m.device}:${m.inode}`;
      if (!buildIds.has(key)) {
        // Else through /proc/PID/root: a regular file only (never blocking on a FIFO mounted over the path).
        const viaRoot = () => {
          const root = openRegularFile(`/proc/${pid}/root${m.path}`);
          return 'fd' in root ? root.fd : undefined;
        };
        const mapped = openRegularFile(`/proc/${pid}/map_files/${m.start.toString(16)}-${m.end.toString(16)}`);
        const fd = 'fd' in mapped ? mapped.fd : viaRoot();
        let id: string | undefined;
        if (fd !== undefined) {
          id = attempt(() => readElfHeaders((offset, length) => readAt(fd, offset, length))?.buildId);
          closeSync(fd);
        }
        buildIds.set(key, id);
      }
      return buildIds.get(key);
    };
    return files.some((m) => idOf(m)?.startsWith(selector.buildId!) === true);
  });
  return failing;
}
