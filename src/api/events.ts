// The JSON form of what a run says: each event `--json` prints as a line,
// the API yields as an object, and a report keeps, made here and nowhere
// else (README, "Use"). Addresses are "0x…" strings, integers numbers up to
// 2^53 and decimal strings beyond, byte strings lowercase hex.
import { InvalidRecipe } from '../dsl/diagnostic.ts';
import { lineIndex } from '../dsl/source.ts';
import { type ErrorCode, type ExitCode, PvmError } from '../errors.ts';
import type { OutputEvent } from '../runtime/execute.ts';
import { sha256Hex } from '../digest.ts';
import { hexAddress, toHex } from '../bytes.ts';
import { pathBase } from '../runtime/evaluation/show.ts';
import { regionSize, type Value } from '../runtime/evaluation/value.ts';

/** A value as JSON: what `emit` and `print` carry. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `print a, b`: its values in order. */
export interface PrintEvent {
  readonly type: 'print';
  readonly values: readonly JsonValue[];
  readonly line: number;
}

/** `emit NAME = VALUE`: a named result (the report's `results` keeps the last of each name). */
export interface EmitEvent {
  readonly type: 'emit';
  readonly name: string;
  readonly value: JsonValue;
  readonly line: number;
}

/** `dump ADDR, SIZE`: the bytes, as hex, and their sha256. */
export interface DumpEvent {
  readonly type: 'dump';
  readonly address: string;
  readonly size: number;
  readonly bytes: string;
  readonly sha256: string;
  readonly line: number;
}

/** A `patch`: verified, then written (or found applied, or only shown by a dry run), site by site. */
export interface PatchEvent {
  readonly type: 'patch';
  readonly name: string | null;
  readonly status: 'applied' | 'already applied' | 'would apply';
  readonly sites: readonly { readonly address: string; readonly before: string; readonly after: string }[];
  /** Threads stopped for the write (`freeze`, or code), else null. */
  readonly stoppedThreads: number | null;
  readonly line: number;
}

/** A `write` that landed, or that a dry run did not make. */
export interface WriteEvent {
  readonly type: 'write';
  readonly status: 'wrote' | 'would write';
  readonly address: string;
  readonly bytes: string;
  readonly line: number;
}

/** After each scan: how much it read, and each range it left out and why. */
export interface ScanEvent {
  readonly type: 'scan';
  readonly hits: number;
  readonly bytes: number;
  readonly regions: number;
  readonly skipped: readonly { readonly start: string; readonly end: string; readonly reason: string }[];
  /** A pointer scan's map and search; `cut`: deeper paths are missing (the search stopped for memory). */
  readonly pointers?: { readonly count: number; readonly mapBytes: number; readonly levels: readonly number[]; readonly cut: boolean };
  readonly line: number;
}

/** What went wrong: the same code, exit status and position as the PvmError. */
export interface ErrorEvent {
  readonly type: 'error';
  /** docs/errors.md lists them. */
  readonly code: ErrorCode;
  readonly exit: ExitCode;
  readonly message: string;
  readonly where: string | null;
  readonly line?: number;
  readonly col?: number;
  /** An invalid recipe's diagnostic: where it ends (exclusive, as LSP ranges). */
  readonly endLine?: number;
  readonly endCol?: number;
  readonly severity?: 'error';
  readonly hint: string | null;
}

/** A run over many processes: how one process's run ended. */
export interface TargetEvent {
  readonly type: 'target';
  readonly pid: number;
  readonly status: 'ok' | 'failed';
  readonly exit: ExitCode;
}

/** A run over many processes: its end. */
export interface SummaryEvent {
  readonly type: 'summary';
  readonly processes: number;
  readonly ok: number;
  readonly failed: number;
  readonly exit: ExitCode;
  /** Helper pvms (the command line's; the API runs every process itself: 0). */
  readonly helpers: number;
  readonly helped: number;
}

/** What one recipe's run says, as `--json` prints it. */
export type RecipeEvent = PrintEvent | EmitEvent | DumpEvent | PatchEvent | WriteEvent | ScanEvent;

/** Every event of a run: a run over many processes adds `pid` to each of a process's events, `target` and `summary`. */
export type PvmEvent = ((RecipeEvent | ErrorEvent) & { readonly pid?: number }) | TargetEvent | SummaryEvent;

/** README, "Use": integers beyond 2^53 become decimal strings; up to it, a JSON number is exact. */
const JSON_INTEGER_LIMIT = 1n << 53n;

/** README, "Use": addresses as "0x…", integers as numbers (decimal strings beyond 2^53). */
export function jsonValue(value: Value): JsonValue {
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

/** An event of the run as JSON (its keys in the order `--json` has always printed them). */
export function eventJson(event: OutputEvent): RecipeEvent {
  switch (event.type) {
    case 'print':
      return { type: 'print', values: event.values.map(jsonValue), line: event.line };
    case 'emit':
      return { type: 'emit', name: event.name, value: jsonValue(event.value), line: event.line };
    case 'dump':
      return { type: 'dump', address: hexAddress(event.address), size: event.bytes.length, bytes: toHex(event.bytes), sha256: sha256Hex(event.bytes), line: event.line };
    case 'patch': {
      const { outcome } = event;
      const sites = outcome.sites.map((s) => ({ address: hexAddress(s.address), before: toHex(s.before), after: toHex(s.after) }));
      return { type: 'patch', name: event.name ?? null, status: outcome.status, sites, stoppedThreads: outcome.frozen?.threads ?? null, line: event.line };
    }
    case 'write':
      return { type: 'write', status: event.status, address: hexAddress(event.address), bytes: toHex(event.bytes), line: event.line };
    case 'scan': {
      const skipped = event.skipped.map((s) => ({ start: hexAddress(s.start), end: hexAddress(s.end), reason: s.reason }));
      return { type: 'scan', hits: event.hits, bytes: event.bytesScanned, regions: event.regions, skipped, ...(event.pointers === undefined ? {} : { pointers: event.pointers }), line: event.line };
    }
  }
}

/** A pvm error as JSON: one event per diagnostic of an invalid recipe, else one. */
export function errorEvents(error: PvmError): ErrorEvent[] {
  if (error instanceof InvalidRecipe) {
    const index = lineIndex(error.source);
    return error.diagnostics.map((d) => {
      // For editors: where the diagnostic starts and ends (the end is exclusive, as in LSP ranges).
      const { line, col } = index.position(d.span.start);
      const end = index.position(Math.max(d.span.end, d.span.start));
      return { type: 'error', code: d.code, exit: error.exit, message: d.message, where: `${error.source.name}:${line}:${col}`, line, col, endLine: end.line, endCol: end.col, severity: 'error', hint: d.hint ?? null };
    });
  }
  const position = error.line === undefined ? {} : { line: error.line, ...(error.col === undefined ? {} : { col: error.col }) };
  return [{ type: 'error', code: error.code, exit: error.exit, message: error.message, where: error.where ?? null, ...position, hint: error.hint ?? null }];
}

/** An event of one of many processes: its pid second, after its type, where `pvm run --match --json` puts it. */
export function withPid<Event extends { readonly type: string }>(event: Event, pid: number): Event & { readonly pid: number } {
  const { type, ...rest } = event;
  return { type, pid, ...rest } as unknown as Event & { readonly pid: number };
}
