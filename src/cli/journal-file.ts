// The journal on disk: JSON lines appended to a file, each synced to the disk
// before the write it records is made (so a crash mid-patch leaves a journal
// that still says what to revert). Opened before the target is touched, so a
// journal that cannot be written stops the run before anything changes.
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DeniedError, UsageError } from '../errors.ts';
import { type JournalEntry, journalLine, parseJournal } from '../runtime/journal.ts';

export interface JournalFile {
  /** Appends the entries as one write and syncs them once: durable before the writes they record. */
  append(entries: readonly JournalEntry[]): void;
  close(): void;
}

export function openJournal(path: string): JournalFile {
  let fd: number;
  try {
    const created = !existsSync(path);
    fd = openSync(path, 'a', 0o600);
    // A new file's name is durable only once its directory is synced too.
    if (created) syncDirectory(dirname(resolve(path)));
  } catch (error) {
    // Exit 3, as for a journal that fills up: no write is made that cannot be journaled (docs/language.md).
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new DeniedError('journal-unwritable', `cannot open the journal '${path}' for appending: ${why}; nothing was written to the target`, { hint: 'choose a journal file in a directory you can write' });
  }
  return {
    append(entries) {
      if (entries.length === 0) return;
      try {
        // One write of whole lines on an O_APPEND file: other pvms appending to it never cut into them.
        writeSync(fd, entries.map((entry) => `${journalLine(entry)}\n`).join(''));
        fdatasyncSync(fd); // the data and the file's new size: all a reader after a crash needs
      } catch (error) {
        // Thrown before the write it would record: the patch writes nothing.
        throw new DeniedError('journal-write-failed', `cannot append to the journal '${path}': ${(error as Error).message}; nothing was written to the target`, {
          hint: 'free some disk space or choose another journal file: pvm makes no write it cannot journal',
          cause: error,
        });
      }
    },
    close() {
      closeSync(fd);
    },
  };
}

function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A journal's complete entries, and the lines cut short (a crash while one was written), which are left out. */
export function readJournal(path: string): { entries: JournalEntry[]; incomplete: number[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError('journal-unreadable', `cannot read the journal '${path}': ${reason}`, { hint: 'give the file that `pvm run --journal FILE` wrote' });
  }
  const incomplete: number[] = [];
  try {
    return { entries: parseJournal(text, (line) => incomplete.push(line)), incomplete };
  } catch (error) {
    throw new UsageError('journal-invalid', `${path} is not a pvm journal: ${(error as Error).message}`, { hint: 'give the file that `pvm run --journal FILE` wrote' });
  }
}

/** readJournal, with a warning on stderr for each line cut short. */
export function readJournalWarning(path: string): JournalEntry[] {
  const { entries, incomplete } = readJournal(path);
  for (const line of incomplete) process.stderr.write(`pvm: warning: ${path} line ${line} is incomplete (cut short while pvm wrote it?): left out; the other entries are used\n`);
  return entries;
}
