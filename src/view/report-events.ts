// A report's events (docs/forensics.md, "--report FILE") as `pvm view`
// shows them: a row each for the table, and a mark for each address they
// name: writes and patch sites (memory changed), dumps and ranges read,
// and addresses the recipe emitted or printed (a scan's hits, a symbol).
import { hexAddress } from '../bytes.ts';
import type { EventRow, Mark } from './view-model.ts';

/** A page stays small whatever the run printed: the first rows and marks, and a count of the rest. */
export const MAX_EVENT_ROWS = 500;
export const MAX_MARKS = 1000;
/** A value longer than this is cut in the table. */
const MAX_TEXT = 240;

type Event = Readonly<Record<string, unknown>>;

export function eventRows(events: readonly Event[]): EventRow[] {
  return events.slice(0, MAX_EVENT_ROWS).map((event) => ({ type: String(event.type), line: typeof event.line === 'number' ? event.line : undefined, text: cut(describe(event)) }));
}

/** The marks of the events, then of the ranges read, at most MAX_MARKS. */
export function eventMarks(events: readonly Event[], reads: readonly Event[]): Mark[] {
  const marks: Mark[] = [];
  const add = (mark: Mark | undefined) => {
    if (mark !== undefined && marks.length < MAX_MARKS) marks.push(mark);
  };
  for (const event of events) {
    if (marks.length >= MAX_MARKS) break;
    const line = typeof event.line === 'number' ? ` (line ${event.line})` : '';
    switch (event.type) {
      case 'write': {
        const length = hexLength(event.after ?? event.bytes);
        add(markAt('write', event.address, length, `write ${length} bytes${line}`));
        break;
      }
      case 'patch':
        for (const site of Array.isArray(event.sites) ? (event.sites as Event[]) : []) {
          const length = hexLength(site.after);
          add(markAt('patch', site.address, length, `patch ${event.name ?? ''} ${String(event.status)}: ${length} bytes${line}`.replace('  ', ' ')));
        }
        break;
      case 'dump':
        add(markAt('dump', event.address, Number(event.size) || 1, `dump ${String(event.size)} bytes${line}`));
        break;
      case 'emit':
        addresses(event.value, String(event.name), (address, name) => add(markAt('found', address, 1, `emit ${name}${line}`)));
        break;
      case 'print':
        addresses(event.values, 'print', (address, name) => add(markAt('found', address, 1, `${name}${line}`)));
        break;
    }
  }
  reads.forEach((read, i) => add(markAt('read', read.address, Number(read.length) || 1, `read ${String(read.length)} bytes (reads[${i}])`)));
  return marks;
}

/** A row's text: what the event says, as a reader names it. */
function describe(event: Event): string {
  switch (event.type) {
    case 'print':
      return Array.isArray(event.values) ? event.values.map(text).join(' ') : '';
    case 'emit':
      return `${String(event.name)} = ${text(event.value)}`;
    case 'dump':
      return `${String(event.size)} bytes at ${String(event.address)}: ${String(event.bytes)} (sha256 ${String(event.sha256)})`;
    case 'write':
      return `at ${String(event.address)}: ${event.before === null || event.before === undefined ? '' : `${String(event.before)} → `}${String(event.after ?? event.bytes)}${event.status === undefined ? '' : ` (${String(event.status)})`}`;
    case 'patch': {
      const sites = Array.isArray(event.sites) ? (event.sites as Event[]) : [];
      return `${event.name === null ? '' : `"${String(event.name)}" `}${String(event.status)}: ${sites.map((s) => `${String(s.address)} ${String(s.before)} → ${String(s.after)}`).join(', ')}`;
    }
    case 'scan':
      return `${String(event.hits)} hits in ${String(event.bytes)} bytes of ${String(event.regions)} regions${Array.isArray(event.skipped) && event.skipped.length > 0 ? `, ${event.skipped.length} ranges skipped` : ''}`;
    default:
      return JSON.stringify(event);
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function cut(line: string): string {
  return line.length <= MAX_TEXT ? line : `${line.slice(0, MAX_TEXT)}… (${line.length} characters)`;
}

/** Each address (a `0x…` string, as --json writes a pointer) in a value, named as its path in the value: `hits[2]`. */
function addresses(value: unknown, name: string, found: (address: bigint, name: string) => void): void {
  if (typeof value === 'string' && /^0x[0-9a-f]{1,16}$/.test(value)) found(BigInt(value), name);
  else if (Array.isArray(value)) value.slice(0, MAX_MARKS).forEach((item, i) => addresses(item, `${name}[${i}]`, found));
  else if (typeof value === 'object' && value !== null) { for (const [key, item] of Object.entries(value)) addresses(item, `${name}.${key}`, found); }
}

/** `address`: as the report writes it (`0x…`), or found in a value already. */
function markAt(kind: Mark['kind'], address: unknown, length: number, label: string): Mark | undefined {
  if (typeof address === 'string' && /^0x[0-9a-f]{1,16}$/.test(address)) address = BigInt(address);
  if (typeof address !== 'bigint') return undefined;
  return { kind, address, length, label: `${label} at ${hexAddress(address)}` };
}

function hexLength(hex: unknown): number {
  return typeof hex === 'string' ? hex.length / 2 : 1;
}
