// A journal read back (pvm status and pvm revert): bounded, as any file pvm
// reads, and parsed by journal-parse.ts, which brings zod with it: so this
// is apart from journal-file.ts, which a run that journals loads.
import { UsageError } from '../errors.ts';
import { MAX_JOURNAL_BYTES } from '../limits.ts';
import { readBoundedFile } from '../regular-file.ts';
import type { JournalEntry } from '../runtime/journal/journal.ts';
import { parseJournal } from '../runtime/journal/journal-parse.ts';

/** A journal's complete entries, and the lines cut short (a crash while one was written), which are left out. */
export function readJournal(path: string): { entries: JournalEntry[]; incomplete: number[] } {
  const text = readBoundedFile(path, MAX_JOURNAL_BYTES, ({ why, fix }) => new UsageError('journal-unreadable', `cannot read the journal '${path}': ${why}`, { hint: fix ?? 'give the file that `pvm run --journal FILE` wrote' }));
  const incomplete: number[] = [];
  try {
    return { entries: parseJournal(text, (line) => incomplete.push(line)), incomplete };
  } catch (error) {
    throw new UsageError('journal-invalid', `${path} is not a pvm journal: ${(error as Error).message}`, { hint: 'give the file that `pvm run --journal FILE` wrote' });
  }
}
