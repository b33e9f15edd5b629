// How values, events and errors look: for people by default, one JSON object
// per line with --json (README, "Use"). Identical on Node, Bun and Deno.
import { InvalidRecipe } from '../dsl/diagnostic.ts';
import { lineIndex } from '../dsl/source.ts';
import { PvmError } from '../errors.ts';
import type { OutputEvent } from '../runtime/execute.ts';
import { sha256Hex } from '../digest.ts';
import { hexAddress, hexLiteral, toHex } from '../bytes.ts';
import type { RevertedSite } from '../runtime/journal/revert.ts';
import { humanValue, pathBase } from '../runtime/evaluation/show.ts';
import { regionSize, type Value } from '../runtime/evaluation/value.ts';
import { count } from '../count.ts';

/** README, "Use": integers beyond 2^53 become decimal strings; up to it, a JSON number is exact. */
const JSON_INTEGER_LIMIT = 1n << 53n;

/** README, "Use": addresses as "0x…", integers as numbers (decimal strings beyond 2^53). */
export function jsonValue(value: Value): unknown {
  switch (value.kind) {
    case 'ptr':
      return hexAddress(value.value);
    case 'int':
      if (value.name !== undefined) return value.name;
      return value.value <= JSON_INTEGER_LIMIT && value.value >= -JSON_INTEGER_LIMIT ? Number(value.value) : value.value.toString();
    case 'float':
      return Number.isFinite(value.value) ? value.value : String(value.value);
    case 'str':
    case 'bool':
      return value.value;
    case 'region':
      return { start: hexAddress(value.start), end: hexAddress(value.end), size: jsonValue({ kind: 'int', value: regionSize(value) }), path: value.path };
    case 'bytes':
      return toHex(value.value);
    case 'list':
      return value.items.map(jsonValue);
    case 'paths':
      return value.items.map((path) => ({ base: pathBase(path), offsets: path.offsets.map((o) => `0x${o.toString(16)}`) }));
    case 'pattern':
      return value.text;
    case 'object':
      return Object.fromEntries(value.fields.map(([name, field]) => [name, jsonValue(field)]));
  }
}

/** An event as output lines, or undefined for an event people do not see on stdout (a scan's summary: see `formatScanSummary`). */
export function formatEvent(event: OutputEvent, json: boolean): string | undefined {
  switch (event.type) {
    case 'print':
      return json ? JSON.stringify({ type: 'print', values: event.values.map(jsonValue), line: event.line }) : event.values.map(humanValue).join(' ');
    case 'emit':
      return json ? JSON.stringify({ type: 'emit', name: event.name, value: jsonValue(event.value), line: event.line }) : `${event.name} = ${humanValue(event.value)}`;
    case 'dump': {
      const sha256 = sha256Hex(event.bytes);
      if (json) return JSON.stringify({ type: 'dump', address: hexAddress(event.address), size: event.bytes.length, bytes: toHex(event.bytes), sha256, line: event.line });
      return `${hexdump(event.address, event.bytes)}
sha256 ${sha256}`;
    }
    case 'patch': {
      const { outcome } = event;
      if (json) {
        const sites = outcome.sites.map((s) => ({ address: hexAddress(s.address), before: toHex(s.before), after: toHex(s.after) }));
        return JSON.stringify({ type: 'patch', name: event.name ?? null, status: outcome.status, sites, stoppedThreads: outcome.frozen?.threads ?? null, line: event.line });
      }
      const name = event.name === undefined ? `patch at line ${event.line}` : `patch "${event.name}"`;
      const sites = outcome.sites.map((s) => `  ${hexAddress(s.address)}: ${toHex(s.before)} -> ${toHex(s.after)}`);
      // How long they were stopped varies from run to run: --verbose says it, on stderr.
      const frozen = outcome.frozen === undefined ? '' : `; ${count(outcome.frozen.threads, 'thread')} stopped for the write`;
      return [`${name}: ${outcome.status} (${count(outcome.sites.length, 'site')}${frozen})`, ...(outcome.status === 'already applied' ? [] : sites)].join('\n');
    }
    case 'write': {
      if (json) return JSON.stringify({ type: 'write', status: event.status, address: hexAddress(event.address), bytes: toHex(event.bytes), line: event.line });
      return `${event.status} ${count(event.bytes.length, 'byte')} at ${hexAddress(event.address)}: ${hexLiteral(event.bytes)} (line ${event.line})`;
    }
    case 'scan': {
      if (!json) return undefined;
      const skipped = event.skipped.map((s) => ({ start: hexAddress(s.start), end: hexAddress(s.end), reason: s.reason }));
      return JSON.stringify({ type: 'scan', hits: event.hits, bytes: event.bytesScanned, regions: event.regions, skipped, ...(event.pointers === undefined ? {} : { pointers: event.pointers }), line: event.line });
    }
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
  if (error instanceof InvalidRecipe) {
    const index = lineIndex(error.source);
    return error.diagnostics
      .map((d) => {
        // For editors: where the diagnostic starts and ends (the end is exclusive, as in LSP ranges).
        const { line, col } = index.position(d.span.start);
        const end = index.position(Math.max(d.span.end, d.span.start));
        return JSON.stringify({ type: 'error', code: d.code, exit: error.exit, message: d.message, where: `${error.source.name}:${line}:${col}`, line, col, endLine: end.line, endCol: end.col, severity: 'error', hint: d.hint ?? null });
      })
      .join('\n');
  }
  const position = error.line === undefined ? {} : { line: error.line, col: error.col };
  return JSON.stringify({ type: 'error', code: error.code, exit: error.exit, message: error.message, where: error.where ?? null, ...position, hint: error.hint ?? null });
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
