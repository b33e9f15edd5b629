// Two reports' `results` compared as pvm verify compares them
// (docs/forensics.md): field by field, each difference named as a reader
// names it (an emit by its name, a range read by its address and length, a
// write by its address), with both values. Left out are the fields that
// differ between two captures of one memory by design: the target's kind
// and core file, the policies in force, and whether the recipe's text was
// kept; and, between a live run and a core, an error's message (it names
// the target as one or the other), not its code. A write and a patch are
// compared as what they write, since verify reruns a writing recipe as a
// dry run.

/** One field that differs: what the report says, and what the evidence gave. */
export interface Difference {
  readonly field: string;
  readonly report: unknown;
  readonly evidence: unknown;
}

/** The most differences listed; the rest are counted in one more. */
export const MAX_DIFFERENCES = 50;

type Results = { readonly [field: string]: unknown };
type Event = { readonly type?: unknown; readonly [field: string]: unknown };

export function differences(claimed: Results, found: Results): Difference[] {
  const kept = new Kept();
  const add = (field: string, report: unknown, evidence: unknown) => {
    if (!same(report, evidence)) kept.push({ field, report, evidence });
  };
  const recipe = (results: Results) => results.recipe as { name?: unknown; sha256?: unknown } | undefined;
  add('recipe.name', recipe(claimed)?.name, recipe(found)?.name);
  add('recipe.sha256', recipe(claimed)?.sha256, recipe(found)?.sha256);
  add('args', claimed.args, found.args);
  const [a, b] = [claimed.target as Results | undefined ?? {}, found.target as Results | undefined ?? {}];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) if (key !== 'kind' && key !== 'core') add(`target.${key}`, a[key], b[key]);
  list(kept, 'events', claimed.events, found.events, (event, i) => eventName(event as Event, i), (event) => asWritten(event as Event));
  list(kept, 'reads', claimed.reads, found.reads, (read, i) => readName(read, i), (read) => read);
  add('exit', claimed.exit, found.exit);
  // An error's message names the target as live (`pid N`) or offline (`the core of pid N`): across the two, its code.
  const code = (error: unknown) => (error as { code?: unknown } | null)?.code ?? null;
  if (a.kind === b.kind) add('error', claimed.error, found.error);
  else add('error.code', code(claimed.error), code(found.error));
  return kept.all();
}

/** The first MAX_DIFFERENCES differences, and how many more there were. */
class Kept {
  readonly #kept: Difference[] = [];
  #more = 0;

  push(difference: Difference): void {
    if (this.#kept.length < MAX_DIFFERENCES) this.#kept.push(difference);
    else this.#more++;
  }

  all(): Difference[] {
    return this.#more === 0 ? this.#kept : [...this.#kept, { field: `and ${this.#more} more`, report: null, evidence: null }];
  }
}

/** The items of two lists, pair by pair, then what one has beyond the other. */
function list(kept: Kept, field: string, claimed: unknown, found: unknown, name: (item: unknown, index: number) => string, normal: (item: unknown) => unknown): void {
  const [a, b] = [Array.isArray(claimed) ? claimed : [], Array.isArray(found) ? found : []];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!same(normal(a[i]), normal(b[i]))) kept.push({ field: name(a[i], i), ...narrowed(a[i], b[i]) });
  }
  if (a.length !== b.length) kept.push({ field: `${field}: how many`, report: a.length, evidence: b.length });
}

/** `emit gold (line 8)`, `read of 4 bytes at 0x5500…`: the name a difference is listed under. */
function eventName(event: Event, index: number): string {
  const line = typeof event.line === 'number' ? ` (line ${event.line})` : '';
  if (event.type === 'emit') return `emit ${String(event.name)}${line}`;
  if (event.type === 'write' || event.type === 'dump') return `${event.type} at ${String(event.address)}${line}`;
  if (event.type === 'patch') return `patch ${event.name === null ? '' : `"${String(event.name)}" `}${line.trim()}`;
  return `events[${index}]: ${String(event.type)}${line}`;
}

function readName(read: unknown, index: number): string {
  const { address, length } = read as { address?: unknown; length?: unknown };
  return `reads[${index}]: ${String(length)} bytes at ${String(address)}`;
}

/**
 * A write or patch as what it writes, its address and bytes: the report's
 * record of a write made (before and after) and a dry run's (`would write`
 * and the bytes) say the same of them. What was there before cannot be
 * checked on evidence taken after (it holds what was written: a patch
 * rerun there is `already applied`), so it is left out and counted apart
 * (`unchecked`); so are a patch's status and the threads it stopped.
 */
function asWritten(event: Event): unknown {
  if (event.type === 'write') return { type: 'write', address: event.address, bytes: event.after ?? event.bytes, line: event.line };
  if (event.type === 'patch') {
    const sites = Array.isArray(event.sites) ? event.sites.map((site) => ({ address: (site as Event).address, after: (site as Event).after })) : event.sites;
    return { type: 'patch', name: event.name, sites, line: event.line };
  }
  return event;
}

/** The writes and patches whose `before` verify cannot check (see asWritten). */
export function unchecked(claimed: Results): number {
  const events = Array.isArray(claimed.events) ? claimed.events as Event[] : [];
  return events.filter((event) => event.type === 'write' || event.type === 'patch').length;
}

/** Of two objects, only the keys whose values differ (an emit's value, a read's sha256): the rest names the field already. */
function narrowed(report: unknown, evidence: unknown): { report: unknown; evidence: unknown } {
  if (!isObject(report) || !isObject(evidence) || report.type !== evidence.type) return { report, evidence };
  const keys = [...new Set([...Object.keys(report), ...Object.keys(evidence)])].filter((key) => !same(report[key], evidence[key]));
  return { report: Object.fromEntries(keys.map((key) => [key, report[key]])), evidence: Object.fromEntries(keys.map((key) => [key, evidence[key]])) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
