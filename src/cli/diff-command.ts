// `pvm diff A B [--json]`: what changed between two snapshots or cores
// (src/snapshot/diff.ts compares them), with where each change lies: the
// file mapped there and the offset in it, and the ELF symbol that holds it.
// Exit 0 when nothing differs, 1 when something does, 4 when a file cannot be
// read (as cmp: "differ" is not trouble).
import type { DiffDocument } from '../view/diff-view.ts';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { hexAddress, toHex } from '../bytes.ts';
import { count } from '../count.ts';
import { DeniedError, Exit, type ExitCode, PvmError, TargetError } from '../errors.ts';
import { SYSTEM_POLICY_PATH } from '../policy/system.ts';
import { describeRegion } from '../runtime/explain-fault.ts';
import { ModuleResolver } from '../runtime/symbols/modules.ts';
import { type ChangedRange, COALESCE_GAP, type CoreDiff, coresDiffer, diffCores, MAX_RANGES, pairDiffers, type RegionPair } from '../snapshot/diff.ts';
import { CoreTarget } from '../target/core-target.ts';
import { describeTarget, type Region } from '../target/target.ts';
import { formatBytes } from './format.ts';

/** The ranges the text output shows with a hexdump, and the bytes of each it shows. */
export const TEXT_RANGES = 20;
const TEXT_BYTES = 64;
/** The bytes of each range --json gives (as hex). */
const JSON_BYTES = 256;

export function diffCommand(command: { readonly a: string; readonly b: string; readonly json: boolean }, out: (text: string) => void): Promise<ExitCode> {
  // A diff shows every byte that differs: where a system policy governs what pvm may read, it does not run.
  if (existsSync(SYSTEM_POLICY_PATH)) {
    throw new DeniedError('policy-denied', `pvm diff does not run under a system policy (${SYSTEM_POLICY_PATH}): it shows any byte of the two files, which no policy rule judges`, {
      hint: 'compare what the policy lets you read: pvm run RECIPE --snapshot A and --snapshot B, with --report, and compare the reports',
    });
  }
  return diffFiles(command.a, command.b, (diff, a, b, where) => {
    out(command.json ? JSON.stringify(diffDocument(diff, a, b, where)) : diffText(diff, a, b, where));
    return coresDiffer(diff) ? Exit.assertion : Exit.ok;
  });
}

/** Opens A and B, diffs them, and gives `use` the diff and what says where each change lies (pvm diff's output, pvm view's page); closes them after. */
export async function diffFiles<T>(pathA: string, pathB: string, use: (diff: CoreDiff, a: CoreTarget, b: CoreTarget, where: Whereabouts) => T): Promise<T> {
  const a = await openSide(pathA, 'A');
  try {
    const b = await openSide(pathB, 'B');
    try {
      const where = new Whereabouts(a, b);
      try {
        return use(diffCores(a, b), a, b, where);
      } finally {
        where.close();
      }
    } finally {
      b.close();
    }
  } finally {
    a.close();
  }
}

/** A core or snapshot; any file pvm cannot read as one is exit 4 here (exit 1 means "they differ"). */
async function openSide(path: string, side: string): Promise<CoreTarget> {
  try {
    return await CoreTarget.open(path, { snapshot: false });
  } catch (error) {
    if (!(error instanceof PvmError)) throw error;
    throw new TargetError('diff-input', `${side}: ${error.message}`, { hint: error.hint ?? 'give two files pvm snapshot, gcore or the kernel wrote', cause: error });
  }
}

/** Where a change lies: the file mapped there and its offset in it, and the ELF symbol holding it (from A's modules, else B's). */
export class Whereabouts {
  readonly #a: { readonly target: CoreTarget; readonly symbols: ModuleResolver };
  readonly #b: { readonly target: CoreTarget; readonly symbols: ModuleResolver };

  constructor(a: CoreTarget, b: CoreTarget) {
    this.#a = { target: a, symbols: new ModuleResolver(a) };
    this.#b = { target: b, symbols: new ModuleResolver(b) };
  }

  of(pair: RegionPair, range: ChangedRange): { module: string | undefined; moduleOffset: bigint | undefined; symbol: string | undefined; symbolOffset: bigint | undefined } {
    const file = pair.a.path.startsWith('/') && !pair.a.deleted ? pair.a : pair.b.path.startsWith('/') && !pair.b.deleted ? pair.b : undefined;
    const address = file === pair.b ? range.addressB : range.addressA;
    const symbol = symbolAt(this.#a.symbols, range.addressA) ?? symbolAt(this.#b.symbols, range.addressB);
    return {
      module: file?.path,
      moduleOffset: file === undefined ? undefined : file.offset + (address - file.start),
      symbol: symbol?.name,
      symbolOffset: symbol?.offset,
    };
  }

  /** The first `most` bytes of the range on each side, as far as each can give them. */
  bytes(range: ChangedRange, most: number): { a: Uint8Array; b: Uint8Array } {
    const length = Math.min(range.length, most);
    const read = (target: CoreTarget, address: bigint) => {
      const [result] = target.read([{ address, length }]);
      return result === undefined ? new Uint8Array(0) : result.bytes.subarray(0, result.done);
    };
    return { a: read(this.#a.target, range.addressA), b: read(this.#b.target, range.addressB) };
  }

  close(): void {
    this.#a.symbols.close();
    this.#b.symbols.close();
  }
}

/** A symbol lookup that a module's missing or replaced file turns into "not known", never an error. */
function symbolAt(symbols: ModuleResolver, address: bigint): { name: string; offset: bigint } | undefined {
  try {
    return symbols.symbolAt(address);
  } catch (error) {
    if (error instanceof PvmError) return undefined;
    throw error;
  }
}

function describeSide(target: CoreTarget): string {
  const who = describeTarget(target.identity);
  return target.snapshot === undefined ? `core of ${who}` : `pvm snapshot of ${who}, taken ${target.snapshot.takenAt}`;
}

function diffText(diff: CoreDiff, a: CoreTarget, b: CoreTarget, where: Whereabouts): string {
  const lines = [`A: ${a.path} (${describeSide(a)})`, `B: ${b.path} (${describeSide(b)})`];
  const changed = diff.pairs.filter((p) => p.bytesChanged > 0n);
  const resized = diff.pairs.filter((p) => p.resized);
  const perms = diff.pairs.filter((p) => p.permsChanged);
  const same = diff.pairs.filter((p) => !pairDiffers(p)).length;
  const bytesChanged = changed.reduce((sum, p) => sum + p.bytesChanged, 0n);
  const ranges = changed.reduce((sum, p) => sum + p.ranges.length + p.rangesOmitted, 0);
  lines.push(
    coresDiffer(diff)
      ? `they differ: ${count(changed.length, 'region')} changed (${count(Number(bytesChanged), 'byte')} in ${count(ranges, 'range')}), ${diff.added.length} added, ${diff.removed.length} removed, ${resized.length} resized${
        perms.length > 0 ? `, ${perms.length} with other permissions` : ''
      }; ${same} the same`
      : `they are the same: ${count(diff.pairs.length, 'region')}`,
    `  ${formatBytes(Number(diff.bytesCompared))} compared, ${formatBytes(Number(diff.bytesSkipped))} not read (holes, one file's bytes on both sides, or left out of both)`,
  );
  const unknown = diff.pairs.filter((p) => p.notCompared > 0n);
  if (unknown.length > 0) {
    const total = unknown.reduce((sum, p) => sum + p.notCompared, 0n);
    lines.push(`  ${formatBytes(Number(total))} in ${count(unknown.length, 'region')} not compared: one side cannot give them (first: ${unknown[0]!.notComparedWhy})`);
  }
  for (const r of diff.leftOut) lines.push(`  ${describeRegion(r)} is in one side's map only, left out of it (${r.leftOut}): not compared`);
  for (const r of diff.removed) lines.push(`removed ${describeRegion(r)} (${size(r)})`);
  for (const r of diff.added) lines.push(`added   ${describeRegion(r)} (${size(r)})`);
  for (const p of resized) lines.push(`resized ${span(p)} ${p.a.perms} ${name(p.a)}: ${size(p.a)} -> ${size(p.b)}`);
  for (const p of perms) lines.push(`perms   ${span(p)} ${name(p.a)}: ${p.a.perms} -> ${p.b.perms}`);
  let shown = 0;
  let hidden = 0;
  for (const p of changed) {
    const rangeCount = p.ranges.length + p.rangesOmitted;
    lines.push(`changed ${span(p)} ${p.a.perms} ${name(p.a)}${p.moved ? ' (moved)' : ''}: ${count(rangeCount, 'range')}, ${count(Number(p.bytesChanged), 'byte')}`);
    for (const range of p.ranges) {
      if (shown >= TEXT_RANGES) {
        hidden++;
        continue;
      }
      shown++;
      const at = where.of(p, range);
      const module = at.module === undefined ? '' : `  ${basename(at.module)}+0x${at.moduleOffset!.toString(16)}`;
      const symbol = at.symbol === undefined ? '' : `  ${at.symbol}${at.symbolOffset === 0n ? '' : `+0x${at.symbolOffset!.toString(16)}`}`;
      const address = range.addressA === range.addressB ? hexAddress(range.addressA) : `${hexAddress(range.addressA)} (B: ${hexAddress(range.addressB)})`;
      lines.push(`  ${address}, ${count(range.length, 'byte')}${module}${symbol}`);
      const bytes = where.bytes(range, TEXT_BYTES);
      lines.push(...hexdump('A', bytes.a), ...hexdump('B', bytes.b));
      if (range.length > TEXT_BYTES) lines.push(`    (the first ${TEXT_BYTES} of ${range.length} bytes)`);
    }
    hidden += p.rangesOmitted;
  }
  if (hidden > 0) lines.push(`… ${count(hidden, 'more range')} not shown (the first ${TEXT_RANGES} are, with their first ${TEXT_BYTES} bytes; --json gives ${MAX_RANGES})`);
  return lines.join('\n');
}

/** Lines of 16 bytes: hex, then the printable ASCII. */
function hexdump(side: string, bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const text = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`    ${at === 0 ? side : ' '} ${hex.padEnd(47)}  ${text}`);
  }
  if (bytes.length === 0) lines.push(`    ${side} (cannot be read)`);
  return lines;
}

/** The diff as --json prints it (and pvm view draws it): addresses as `0x…` text, counts as numbers. */
export function diffDocument(diff: CoreDiff, a: CoreTarget, b: CoreTarget, where: Whereabouts): DiffDocument {
  const region = (r: Region) => ({ start: hexAddress(r.start), end: hexAddress(r.end), perms: r.perms, offset: hexAddress(r.offset), path: r.path });
  const side = (target: CoreTarget) => ({ file: target.path, kind: target.snapshot === undefined ? 'core' : 'snapshot', pid: target.identity.pid ?? null, name: target.identity.name, takenAt: target.snapshot?.takenAt ?? null });
  const differing = diff.pairs.filter(pairDiffers);
  const json = {
    type: 'diff',
    a: side(a),
    b: side(b),
    differ: coresDiffer(diff),
    coalesceGap: COALESCE_GAP,
    summary: {
      same: diff.pairs.length - differing.length,
      changed: diff.pairs.filter((p) => p.bytesChanged > 0n).length,
      added: diff.added.length,
      removed: diff.removed.length,
      resized: diff.pairs.filter((p) => p.resized).length,
      bytesChanged: Number(diff.pairs.reduce((sum, p) => sum + p.bytesChanged, 0n)),
      bytesCompared: Number(diff.bytesCompared),
      bytesNotRead: Number(diff.bytesSkipped),
      bytesNotCompared: Number(diff.pairs.reduce((sum, p) => sum + p.notCompared, 0n)),
      rangesOmitted: diff.rangesOmitted,
    },
    added: diff.added.map(region),
    removed: diff.removed.map(region),
    leftOut: diff.leftOut.map(region),
    regions: diff.pairs.filter((p) => pairDiffers(p) || p.notCompared > 0n).map((p) => ({
      a: region(p.a),
      b: region(p.b),
      resized: p.resized,
      moved: p.moved,
      permsChanged: p.permsChanged,
      bytesChanged: Number(p.bytesChanged),
      bytesNotCompared: Number(p.notCompared),
      notComparedWhy: p.notComparedWhy ?? null,
      ranges: p.ranges.map((range) => {
        const at = where.of(p, range);
        const bytes = where.bytes(range, JSON_BYTES);
        return {
          a: hexAddress(range.addressA),
          b: hexAddress(range.addressB),
          length: range.length,
          changed: range.changed,
          module: at.module ?? null,
          moduleOffset: at.moduleOffset === undefined ? null : hexAddress(at.moduleOffset),
          symbol: at.symbol ?? null,
          symbolOffset: at.symbolOffset === undefined ? null : Number(at.symbolOffset),
          bytesA: toHex(bytes.a),
          bytesB: toHex(bytes.b),
        };
      }),
      rangesOmitted: p.rangesOmitted,
    })),
  };
  return json;
}

function size(region: Region): string {
  return formatBytes(Number(region.end - region.start));
}

function name(region: Region): string {
  return region.path === '' ? '(anonymous)' : region.path + (region.deleted ? ' (deleted)' : '');
}

/** The pair's addresses: one range when it did not move. */
function span(pair: RegionPair): string {
  const a = `${hexAddress(pair.a.start)}-${hexAddress(pair.a.end)}`;
  const b = `${hexAddress(pair.b.start)}-${hexAddress(pair.b.end)}`;
  return a === b ? a : `${a} (B: ${b})`;
}
