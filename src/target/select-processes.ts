// --match SELECTOR (SPEC §1): every process for which each `key=value` holds.
// exe=PATH (as /proc/PID/exe shows it), name=COMM, module=NAME (maps a file
// whose path is NAME, ends in /NAME, or has basename NAME), build-id=HEX (of
// the executable or any mapped module), uid=N (real uid), cgroup=PATH (in it
// or below it). Read from /proc only: no process is stopped or read.
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { attempt } from '../attempt.ts';
import { UsageError } from '../errors.ts';
import { readElfHeaders } from '../native/elf-headers.ts';
import { parseMaps } from '../native/maps.ts';
import { parseStatus } from '../native/status.ts';
import { closest } from '../suggest.ts';
import { readAt } from './file-mapping.ts';

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
  const pids = readdirSync('/proc').filter((entry) => /^[0-9]+$/.test(entry)).map(Number).filter((pid) => pid !== self);
  return pids.filter((pid) => attempt(() => matches(pid, selector, buildIds)) === true).sort((a, b) => a - b);
}

function matches(pid: number, selector: Selector, buildIds: Map<string, string | undefined>): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if ((Number(fields[6] ?? 0) & 0x00200000) !== 0 || fields[0] === 'Z') return false; // a kernel thread, or a zombie
  if (selector.name !== undefined && readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '') !== selector.name) return false;
  if (selector.exe !== undefined && readlinkSync(`/proc/${pid}/exe`) !== selector.exe) return false;
  if (selector.uid !== undefined && parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).uid[0] !== selector.uid) return false;
  if (selector.cgroup !== undefined) {
    const want = selector.cgroup.replace(/\/+$/, '') || '/';
    const paths = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').filter(Boolean).map((line) => line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1));
    if (!paths.some((path) => path === want || path.startsWith(want === '/' ? '/' : `${want}/`))) return false;
  }
  if (selector.module === undefined && selector.buildId === undefined) return true;
  const maps = parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1'));
  if (selector.module !== undefined) {
    const name = selector.module;
    if (!maps.some((m) => m.path.startsWith('/') && (m.path === name || m.path.endsWith(`/${name}`) || basename(m.path) === name))) return false;
  }
  if (selector.buildId !== undefined) {
    const files = maps.filter((m) => m.path.startsWith('/') && m.offset === 0n);
    const idOf = (m: (typeof files)[number]): string | undefined => {
      const key = `${m.device}:${m.inode}`;
      if (!buildIds.has(key)) {
        const fd = attempt(() => openSync(`/proc/${pid}/map_files/${m.start.toString(16)}-${m.end.toString(16)}`, 'r')) ?? attempt(() => openSync(`/proc/${pid}/root${m.path}`, 'r'));
        let id: string | undefined;
        if (fd !== undefined) {
          id = attempt(() => readElfHeaders((offset, length) => readAt(fd, offset, length))?.buildId);
          closeSync(fd);
        }
        buildIds.set(key, id);
      }
      return buildIds.get(key);
    };
    if (!files.some((m) => idOf(m)?.startsWith(selector.buildId!) === true)) return false;
  }
  return true;
}
