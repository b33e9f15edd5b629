// How values, events and errors look: for people by default, one JSON object
// per line with --json (README, "Use"). Identical on Node, Bun and Deno.
import { InvalidRecipe } from '../dsl/diagnostic.ts';
import { PvmError } from '../errors.ts';
import type { OutputEvent } from '../runtime/execute.ts';
import { sha256Hex } from '../digest.ts';
import { hexAddress, hexLiteral, toHex } from '../bytes.ts';
import type { RevertedSite } from '../runtime/journal/revert.ts';
import { humanValue } from '../runtime/evaluation/show.ts';
import { errorEvents, eventJson } from '../api/events.ts';
import { count } from '../count.ts';

/** An event as output lines, or undefined for an event people do not see on stdout (a scan's summary: see `formatScanSummary`). */
export function formatEvent(event: OutputEvent, json: boolean): string | undefined {
  if (json) return JSON.stringify(eventJson(event));
  switch (event.type) {
    case 'print':
      return event.values.map(humanValue).join(' ');
    case 'emit':
      return `${event.name} = ${humanValue(event.value)}`;
    case 'dump':
      return `${hexdump(event.address, event.bytes)}
sha256 ${sha256Hex(event.bytes)}`;
    case 'patch': {
      const { outcome } = event;
      const name = event.name === undefined ? `patch at line ${event.line}` : `patch "${event.name}"`;
      const sites = outcome.sites.map((s) => `  ${hexAddress(s.address)}: ${toHex(s.before)} -> ${toHex(s.after)}`);
      // How long they were stopped varies from run to run: --verbose says it, on stderr.
      const frozen = outcome.frozen === undefined ? '' : `; ${count(outcome.frozen.threads, 'thread')} stopped for the write`;
      return [`${name}: ${outcome.status} (${count(outcome.sites.length, 'site')}${frozen})`, ...(outcome.status === 'already applied' ? [] : sites)].join('\n');
    }
    case 'write':
      return `${event.status} ${count(event.bytes.length, 'byte')} at ${hexAddress(event.address)}: ${hexLiteral(event.bytes)} (line ${event.line})`;
    case 'scan':
      return undefined;
  }
}

/** A scan's summary for people (`--verbose`, on stderr): what it read, and each range it left out and why. */
export function formatScanSummary(event: Extract<OutputEvent, { type: 'scan' }>): string {
  const lines = [`scan at line ${event.line}: ${formatBytes(event.bytesScanned)} in ${count(event.regions, 'region')}, ${count(event.hits, event.pointers === undefined ? 'hit' : 'path')}`];
  const pointers = event.pointers;
  if (pointers !== undefined) {
    lines.push(`  pointer map: ${count(pointers.count, 'pointer')} (${formatBytes(pointers.mapBytes)}); locations found at depth 1, 2, …: ${pointers.levels.join(', ')}`);
    if (pointers.cut) lines.push(`  ${pointerScanCut(pointers.levels.length)}`);
  }
  // One line per reason (a process has hundreds of untouched ranges); a reason met once shows its range.
  // --json lists every range.
  const byReason = new Map<string, (typeof event.skipped)[number][]>();
  for (const s of event.skipped) {
    const reason = s.reason.replace(/^\[[^\]]*\]: /, '');
    byReason.set(reason, [...(byReason.get(reason) ?? []), s]);
  }
  for (const [reason, ranges] of byReason) {
    const size = formatBytes(ranges.reduce((sum, s) => sum + Number(s.end - s.start), 0));
    const only = ranges.length === 1 ? ranges[0]! : undefined;
    lines.push(only !== undefined ? `  skipped ${hexAddress(only.start)}-${hexAddress(only.end)} (${size}): ${only.reason}` : `  skipped ${ranges.length} ranges (${size}): ${reason}`);
  }
  return lines.join('\n');
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 16 bytes a line: address, hex, and the printable ASCII, as `xxd` and gdb's `x/16xb` users expect. */
export function hexdump(address: bigint, bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${hexAddress(address + BigInt(at))}  ${hex.padEnd(47)}  |${text}|`);
  }
  return lines.join('\n');
}

/** An error for stderr, gcc style: `where: error: message`, excerpt, hint. */
export function formatError(error: PvmError): string {
  if (error instanceof InvalidRecipe) {
    const n = error.diagnostics.length;
    return `${error.message}\n${count(n, 'error')} in ${error.source.name}`;
  }
  const lines = [`${error.where ?? 'pvm'}: error: ${error.message}`];
  if (error.excerpt !== undefined) lines.push(error.excerpt);
  if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  return lines.join('\n');
}

/** The same error as JSON lines for stdout: one per diagnostic of an invalid recipe. */
export function formatErrorJson(error: PvmError): string {
  return errorEvents(error).map((event) => JSON.stringify(event)).join('\n');
}

/** What `pvm revert` did, site by site (newest patch first is how it worked; shown in journal order). */
export function formatRevert(outcome: { readonly sites: readonly RevertedSite[]; readonly others: number }, json: boolean, pid?: number): string {
  const lines = outcome.sites.map(({ entry, status, found }) => {
    const site = {
      address: hexAddress(entry.address),
      status,
      expected: toHex(entry.new),
      found: found === undefined ? null : toHex(found),
      restores: toHex(entry.old),
      statement: entry.statement,
      patch: entry.patch ?? null,
      line: entry.line,
    };
    if (json) return JSON.stringify({ type: 'revert', ...(pid === undefined ? {} : { pid }), ...site });
    const what = status === 'changed since'
      ? `left alone: holds ${found === undefined ? 'unreadable bytes' : hexLiteral(found)}, not ${hexLiteral(entry.new)} as pvm wrote`
      : status === 'already reverted'
      ? `holds ${hexLiteral(entry.old)} already, nothing written`
      : `${hexLiteral(entry.new)} -> ${hexLiteral(entry.old)}`;
    const by = entry.patch !== undefined ? `patch "${entry.patch}"` : `${entry.statement} at line ${entry.line}`;
    return `${site.address}: ${status} (${by}): ${what}`;
  });
  if (outcome.others > 0) {
    const note = `${outcome.others} entr${outcome.others === 1 ? 'y belongs' : 'ies belong'} to other processes and ${outcome.others === 1 ? 'was' : 'were'} left alone`;
    lines.push(json ? JSON.stringify({ type: 'revert-note', message: note }) : note);
  }
  return lines.join('\n');
}

/** Why a pointer scan found fewer paths than asked for, for people: its search stopped before the depth asked for. */
export function pointerScanCut(depth: number): string {
  return `the search stopped after depth ${depth}: its levels would have taken more memory than the pointer map, so deeper paths are missing; lower the offset or the depth`;
}
