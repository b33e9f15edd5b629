// The patch journal (`--journal FILE`, `pvm revert`): one JSON line per site
// written, appended and synced before the write, so a revert works even if
// pvm dies mid-patch. A site is named by the process (pid and start time, so
// a reused pid is not mistaken for it), its address, and, where the address
// lies in a file's mapping, the file, the offset and its build-id.
import { sha256Hex } from '../digest.ts';
import { fromHex, toHex } from '../bytes.ts';
import { hexAddress } from './evaluation/value.ts';

/** 2: each entry carries the sha256 of the rest of it, so an edited or cut entry is refused. */
export const JOURNAL_VERSION = 2;

export interface JournalEntry {
  readonly pid: number;
  readonly startTime: string | undefined;
  readonly exe: string | undefined;
  readonly recipe: { readonly name: string; readonly sha256: string };
  /** What wrote the site: a `patch` (with its name, if it has one) or a `write` statement; and its line in the recipe. */
  readonly statement: 'patch' | 'write';
  readonly patch: string | undefined;
  readonly line: number;
  readonly address: bigint;
  readonly module: { readonly path: string; readonly offset: bigint; readonly buildId: string | undefined } | undefined;
  readonly old: Uint8Array;
  readonly new: Uint8Array;
}

export function journalLine(entry: JournalEntry): string {
  const body = JSON.stringify({
    journal: 'pvm',
    version: JOURNAL_VERSION,
    pid: entry.pid,
    startTime: entry.startTime ?? null,
    exe: entry.exe ?? null,
    recipe: entry.recipe,
    statement: entry.statement,
    patch: entry.patch ?? null,
    line: entry.line,
    address: hexAddress(entry.address),
    module: entry.module === undefined ? null : { path: entry.module.path, offset: hexAddress(entry.module.offset), buildId: entry.module.buildId ?? null },
    old: toHex(entry.old),
    new: toHex(entry.new),
  });
  return `${body.slice(0, -1)},"sha256":"${digest(body)}"}`;
}

/** sha256 of an entry's JSON without its own digest: the canonical form is the one pvm wrote (fixed key order). */
function digest(body: string): string {
  return sha256Hex(body);
}

/** How every entry begins: where an entry glued onto a line cut short starts. */
const ENTRY_START = '{"journal":"pvm",';

/**
 * The entries of a journal's text; throws an Error naming the line that is
 * not a pvm journal entry. With `incomplete`, a line that is not JSON (cut
 * short by a crash while it was written) is reported there and skipped, and
 * the complete entries are still used; so is an entry that an older pvm
 * appended onto such a line, glued to its cut part (pvm now starts a new line).
 */
export function parseJournal(text: string, incomplete?: (line: number) => void): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (incomplete === undefined) throw new Error(`line ${index + 1} is not JSON`);
      incomplete(index + 1);
      // A cut entry with a whole one glued after it: the whole one begins at the line's last entry start.
      const glued = line.lastIndexOf(ENTRY_START);
      const after = glued > 0 ? attemptJson(line.slice(glued)) : undefined;
      if (after === undefined) continue;
      raw = after;
    }
    if (raw.journal !== 'pvm' || raw.version !== JOURNAL_VERSION) throw new Error(`line ${index + 1} is not a pvm journal entry (version ${JOURNAL_VERSION})`);
    const { sha256, ...rest } = raw;
    if (sha256 !== digest(JSON.stringify(rest))) throw new Error(`line ${index + 1} was changed after pvm wrote it (its sha256 does not match): pvm writes back only bytes it recorded itself`);
    const hex = (value: unknown, what: string): string => {
      if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/.test(value)) throw new Error(`line ${index + 1}: ${what} is not hex bytes`);
      return value;
    };
    const address = (value: unknown, what: string): bigint => {
      if (typeof value !== 'string' || !/^0x[0-9a-f]+$/.test(value)) throw new Error(`line ${index + 1}: ${what} is not an address`);
      return BigInt(value);
    };
    const module = raw.module as { path: string; offset: string; buildId: string | null } | null;
    const oldBytes = fromHex(hex(raw.old, 'old'));
    const newBytes = fromHex(hex(raw.new, 'new'));
    if (oldBytes.length !== newBytes.length || oldBytes.length === 0) throw new Error(`line ${index + 1}: old and new bytes differ in length`);
    if (typeof raw.pid !== 'number') throw new Error(`line ${index + 1}: no pid`);
    entries.push({
      pid: raw.pid,
      startTime: typeof raw.startTime === 'string' ? raw.startTime : undefined,
      exe: typeof raw.exe === 'string' ? raw.exe : undefined,
      recipe: raw.recipe as { name: string; sha256: string },
      statement: raw.statement === 'write' ? 'write' : 'patch',
      patch: typeof raw.patch === 'string' ? raw.patch : undefined,
      line: Number(raw.line),
      address: address(raw.address, 'address'),
      module: module === null || module === undefined ? undefined : { path: module.path, offset: address(module.offset, 'module offset'), buildId: module.buildId ?? undefined },
      old: oldBytes,
      new: newBytes,
    });
  }
  return entries;
}

function attemptJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
