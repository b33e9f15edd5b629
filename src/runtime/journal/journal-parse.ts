// A journal's text back into entries (pvm status and pvm revert), each line
// checked against its sha256 and then against one zod schema of what
// journalLine writes. zod is loaded by these two commands only: a run that
// journals writes lines and never reads them.
import { z } from 'zod';
import { fromHex } from '../../bytes.ts';
import { ENTRY_START, entryDigest, JOURNAL_VERSION, type JournalEntry } from './journal.ts';

const hexBytes = (what: string) => z.string({ error: `${what} is not hex bytes` }).regex(/^([0-9a-f]{2})*$/, { error: `${what} is not hex bytes` }).transform(fromHex);
const address = (what: string) => z.string({ error: `${what} is not an address` }).regex(/^0x[0-9a-f]+$/, { error: `${what} is not an address` }).transform(BigInt);
const text = (what: string) => z.string({ error: `${what} is not a string` });
const absent = <T>(value: T | null): T | undefined => value ?? undefined;

/** An entry as journalLine writes it, less `journal`, `version` and `sha256` (checked first). Messages name the field. */
const EntrySchema = z.object({
  old: hexBytes('old'),
  new: hexBytes('new'),
  pid: z.number({ error: 'no pid' }),
  address: address('address'),
  module: z.object({ path: text('module path'), offset: address('module offset'), buildId: text('module buildId').nullable().transform(absent) }, { error: 'module is not an object or null' }).nullable().transform(absent),
  startTime: text('startTime').nullable().transform(absent),
  image: text('image').optional(),
  exe: text('exe').nullable().transform(absent),
  recipe: z.object({ name: text('recipe name'), sha256: text('recipe sha256'), signer: text('recipe signer').optional() }, { error: 'no recipe' }),
  statement: z.enum(['patch', 'write'], { error: 'statement is not patch or write' }),
  patch: text('patch').nullable().transform(absent),
  line: z.number({ error: 'line is not a number' }),
  alreadyApplied: z.literal(true, { error: 'alreadyApplied is not true' }).optional(),
});

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
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (incomplete === undefined) throw new Error(`line ${index + 1} is not JSON`);
      incomplete(index + 1);
      // A cut entry with a whole one glued after it: the whole one begins at the line's last entry start.
      const glued = line.lastIndexOf(ENTRY_START);
      const after = glued > 0 ? attemptJson(line.slice(glued)) : undefined;
      if (after === undefined) continue;
      raw = after;
    }
    entries.push(entryOf(raw, index + 1));
  }
  return entries;
}

function entryOf(raw: unknown, line: number): JournalEntry {
  const fields = typeof raw === 'object' && raw !== null ? raw as Record<string, unknown> : {};
  if (fields.journal !== 'pvm' || fields.version !== JOURNAL_VERSION) throw new Error(`line ${line} is not a pvm journal entry (version ${JOURNAL_VERSION})`);
  const { sha256, ...rest } = fields;
  if (sha256 !== entryDigest(JSON.stringify(rest))) throw new Error(`line ${line} was changed after pvm wrote it (its sha256 does not match): the file is corrupt, or was edited`);
  const parsed = EntrySchema.safeParse(rest);
  if (!parsed.success) throw new Error(`line ${line}: ${parsed.error.issues[0]?.message ?? 'not an entry'}`);
  const entry = parsed.data;
  if (entry.old.length !== entry.new.length || entry.old.length === 0) throw new Error(`line ${line}: old and new bytes differ in length`);
  return entry;
}

function attemptJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
