// pvm's own note in a snapshot (a core file of type NT_PVM_SNAPSHOT, name
// "PVM"): what a core cannot say by itself, so that a recipe run on the
// snapshot sees what it saw live. The whole memory map as /proc showed it
// (also the regions left out, and why), each region's VmFlags, the pages
// that held no data (holes in the file, which scans skip as they do live),
// the pages that could not be read during the capture, the process's
// identity and each module's build-id. JSON, with addresses as "0x…" text.
import { hexAddress } from '../bytes.ts';
import type { AddressRange, Region, TargetIdentity } from './target.ts';

export const SNAPSHOT_FORMAT = 'pvm-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface SnapshotRegion extends Region {
  readonly vmFlags: readonly string[];
  /** Why the region is not in the file (skip rules, or --only), or undefined when it is. */
  readonly leftOut: string | undefined;
  /** Pages that held no data: not written (holes), read as zeros, skipped by scans. */
  readonly untouched: readonly AddressRange[];
  /** Pages that could not be read during the capture (unmapped meanwhile): reads there fault. */
  readonly missing: readonly AddressRange[];
}

export interface SnapshotNote {
  readonly pvmVersion: string;
  /** When the capture started, ISO 8601. */
  readonly takenAt: string;
  /** True when every thread was stopped for the whole capture (--freeze): one consistent moment. */
  readonly frozen: boolean;
  readonly identity: TargetIdentity;
  readonly pageSize: number;
  readonly regions: readonly SnapshotRegion[];
  /** Build-id of each mapped ELF file, by path. */
  readonly modules: readonly { readonly path: string; readonly buildId: string | undefined }[];
  /** Why the threads' registers are not in the snapshot, or undefined when they are. */
  readonly registersMissing: string | undefined;
  /** Threads whose notes hold zeros, not registers (they could not be stopped). */
  readonly threadsWithoutRegisters: readonly number[];
}

/** Thrown for a note that is not pvm's snapshot note of a version this pvm reads. */
export class SnapshotNoteError extends Error {}

const ranges = (list: readonly AddressRange[]) => list.map((r) => [hexAddress(r.start), hexAddress(r.end)]);

export function encodeSnapshotNote(note: SnapshotNote): Uint8Array {
  const json = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    pvmVersion: note.pvmVersion,
    takenAt: note.takenAt,
    frozen: note.frozen,
    identity: { ...note.identity, kind: 'process' },
    pageSize: note.pageSize,
    regions: note.regions.map((r) => ({
      start: hexAddress(r.start),
      end: hexAddress(r.end),
      perms: r.perms,
      offset: hexAddress(r.offset),
      path: r.path,
      deleted: r.deleted,
      vmFlags: r.vmFlags,
      leftOut: r.leftOut ?? null,
      untouched: ranges(r.untouched),
      missing: ranges(r.missing),
    })),
    modules: note.modules.map((m) => ({ path: m.path, buildId: m.buildId ?? null })),
    registersMissing: note.registersMissing ?? null,
    threadsWithoutRegisters: note.threadsWithoutRegisters,
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

export function decodeSnapshotNote(bytes: Uint8Array): SnapshotNote {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new SnapshotNoteError(`pvm's note is not valid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || json.format !== SNAPSHOT_FORMAT) throw new SnapshotNoteError("pvm's note does not say it is a pvm snapshot");
  if (json.version !== SNAPSHOT_VERSION) throw new SnapshotNoteError(`the snapshot is of format version ${String(json.version)}; this pvm reads version ${SNAPSHOT_VERSION}`);
  const field = <T>(object: unknown, key: string, check: (value: unknown) => value is T, what: string): T => {
    const value = (object as Record<string, unknown>)[key];
    if (!check(value)) throw new SnapshotNoteError(`pvm's note has no valid '${key}' (${what})`);
    return value;
  };
  const isString = (v: unknown): v is string => typeof v === 'string';
  const isHex = (v: unknown): v is string => typeof v === 'string' && /^0x[0-9a-f]+$/.test(v);
  const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
  const orNull = <T>(check: (v: unknown) => v is T) => (v: unknown): v is T | null => v === null || check(v);
  const rangeList = (object: unknown, key: string): AddressRange[] =>
    field(object, key, isArray, 'a list of [start, end]').map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !isHex(pair[0]) || !isHex(pair[1])) throw new SnapshotNoteError(`pvm's note has a bad range in '${key}'`);
      return { start: BigInt(pair[0]), end: BigInt(pair[1]) };
    });
  const identity = field(json, 'identity', (v): v is Record<string, unknown> => typeof v === 'object' && v !== null, 'an object');
  const pid = field(identity, 'pid', orNull(isNumber), 'a number');
  const exe = field(identity, 'exe', orNull(isString), 'a path');
  const startTime = field(identity, 'startTime', orNull(isString), 'clock ticks');
  return {
    pvmVersion: field(json, 'pvmVersion', isString, 'a version'),
    takenAt: field(json, 'takenAt', isString, 'a time'),
    frozen: field(json, 'frozen', (v): v is boolean => typeof v === 'boolean', 'true or false'),
    identity: {
      kind: 'core',
      pid: pid ?? undefined,
      name: field(identity, 'name', isString, 'a name'),
      exe: exe ?? undefined,
      cmdline: field(identity, 'cmdline', (v): v is string[] => Array.isArray(v) && v.every(isString), 'a list of strings'),
      startTime: startTime ?? undefined,
    },
    pageSize: field(json, 'pageSize', isNumber, 'a number'),
    regions: field(json, 'regions', isArray, 'a list').map((r) => ({
      start: BigInt(field(r, 'start', isHex, 'an address')),
      end: BigInt(field(r, 'end', isHex, 'an address')),
      perms: field(r, 'perms', (v): v is string => typeof v === 'string' && /^[r-][w-][x-][ps]$/.test(v), 'like r-xp'),
      offset: BigInt(field(r, 'offset', isHex, 'a file offset')),
      path: field(r, 'path', isString, 'a path'),
      deleted: field(r, 'deleted', (v): v is boolean => typeof v === 'boolean', 'true or false'),
      vmFlags: field(r, 'vmFlags', (v): v is string[] => Array.isArray(v) && v.every(isString), 'a list of flags'),
      leftOut: field(r, 'leftOut', orNull(isString), 'a reason') ?? undefined,
      untouched: rangeList(r, 'untouched'),
      missing: rangeList(r, 'missing'),
    })),
    modules: field(json, 'modules', isArray, 'a list').map((m) => ({ path: field(m, 'path', isString, 'a path'), buildId: field(m, 'buildId', orNull(isString), 'hex') ?? undefined })),
    registersMissing: field(json, 'registersMissing', orNull(isString), 'a reason') ?? undefined,
    threadsWithoutRegisters: field(json, 'threadsWithoutRegisters', (v): v is number[] => Array.isArray(v) && v.every(isNumber), 'a list of thread ids'),
  };
}
