// A plan as JSON (`pvm plan --json`, the REPL's `.plan`): JSON.stringify of
// the plan, but for the source line a location carries. A location keeps its
// whole line for error excerpts; in JSON a line longer than
// MAX_EXCERPT_COLUMNS is cut to that many columns around the location, and
// `textFrom` says where the cut begins (0-based), so that `col` still points
// into it: one 4 MiB line of 500 000 statements once made every step repeat
// all 4 MiB of it.
import { MAX_EXCERPT_COLUMNS } from '../limits.ts';

/** `JSON.stringify(value)` with long source lines cut, as above. */
export function planJson(value: unknown): string {
  return JSON.stringify(value, cutLongLines);
}

function cutLongLines(this: unknown, _key: string, value: unknown): unknown {
  if (!isLocation(value) || value.text.length <= MAX_EXCERPT_COLUMNS) return value;
  const from = Math.max(0, Math.min(value.col - 1 - Math.floor(MAX_EXCERPT_COLUMNS / 3), value.text.length - MAX_EXCERPT_COLUMNS));
  return { ...value, text: value.text.slice(from, from + MAX_EXCERPT_COLUMNS), textFrom: from };
}

function isLocation(value: unknown): value is { line: number; col: number; text: string; width: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.line === 'number' && typeof v.col === 'number' && typeof v.text === 'string' && typeof v.width === 'number';
}
