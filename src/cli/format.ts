// How values, events and errors look: for people by default, one JSON object
// per line with --json (SPEC §4). Identical on Node, Bun and Deno.
import { InvalidRecipe } from '../dsl/diagnostic.ts';
import { positionOf } from '../dsl/source.ts';
import { PvmError } from '../errors.ts';
import type { OutputEvent } from '../runtime/execute.ts';
import { hexAddress, type Value } from '../runtime/value.ts';

/** SPEC §4: integers beyond 2^53 become decimal strings; up to it, a JSON number is exact. */
const JSON_INTEGER_LIMIT = 1n << 53n;

/** SPEC §4: addresses as "0x…", integers as numbers (decimal strings beyond 2^53). */
export function jsonValue(value: Value): unknown {
  switch (value.kind) {
    case 'ptr':
      return hexAddress(value.value);
    case 'int':
      return value.value <= JSON_INTEGER_LIMIT && value.value >= -JSON_INTEGER_LIMIT ? Number(value.value) : value.value.toString();
    case 'float':
      return Number.isFinite(value.value) ? value.value : String(value.value);
    case 'str':
    case 'bool':
      return value.value;
    case 'region':
      return { start: hexAddress(value.start), end: hexAddress(value.end), size: jsonValue({ kind: 'int', value: value.end - value.start }), path: value.path };
  }
}

export function humanValue(value: Value): string {
  switch (value.kind) {
    case 'ptr':
      return hexAddress(value.value);
    case 'int':
      return value.value.toString();
    case 'float':
      return String(value.value);
    case 'str':
      return value.value;
    case 'bool':
      return String(value.value);
    case 'region':
      return `${hexAddress(value.start)}-${hexAddress(value.end)} ${value.path}`;
  }
}

export function formatEvent(event: OutputEvent, json: boolean): string {
  if (json) {
    return event.type === 'print'
      ? JSON.stringify({ type: 'print', values: event.values.map(jsonValue), line: event.line })
      : JSON.stringify({ type: 'emit', name: event.name, value: jsonValue(event.value), line: event.line });
  }
  return event.type === 'print' ? event.values.map(humanValue).join(' ') : `${event.name} = ${humanValue(event.value)}`;
}

/** An error for stderr, gcc style: `where: error: message`, excerpt, hint. */
export function formatError(error: PvmError): string {
  if (error instanceof InvalidRecipe) {
    const n = error.diagnostics.length;
    return `${error.message}\n${n} error${n === 1 ? '' : 's'} in ${error.source.name}`;
  }
  const lines = [`${error.where ?? 'pvm'}: error: ${error.message}`];
  if (error.excerpt !== undefined) lines.push(error.excerpt);
  if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  return lines.join('\n');
}

/** The same error as JSON lines for stdout: one per diagnostic of an invalid recipe. */
export function formatErrorJson(error: PvmError): string {
  if (error instanceof InvalidRecipe) {
    return error.diagnostics
      .map((d) => {
        const { line, col } = positionOf(error.source.text, d.span.start);
        return JSON.stringify({ type: 'error', code: d.code, exit: error.exit, message: d.message, where: `${error.source.name}:${line}:${col}`, line, col, hint: d.hint ?? null });
      })
      .join('\n');
  }
  return JSON.stringify({ type: 'error', code: error.code, exit: error.exit, message: error.message, where: error.where ?? null, hint: error.hint ?? null });
}
