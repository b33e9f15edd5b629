// The journal on disk: JSON lines appended to a file, each written whole
// before the write it records is made, and (by default) synced to the disk
// then too (so a crash mid-patch leaves a journal that still says what to
// revert). Checked before the target is touched, so a journal that cannot be
// written stops the run before anything changes; but made only when its
// first entry is written, so a run that writes nothing leaves no empty file
// behind.
import { accessSync, closeSync, constants, fdatasyncSync, fstatSync, fsyncSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DeniedError } from '../errors.ts';
import { MAX_JOURNAL_BYTES } from '../limits.ts';
import { notAppendable } from '../regular-file.ts';
import { type JournalEntry, journalLine } from '../runtime/journal/journal.ts';

/**
 * When appends reach the disk (--journal-sync): `each` syncs every append
 * before the write it records, so the entry outlives pvm and a crash of the
 * machine; `end` writes every append whole before its write (in the kernel's
 * page cache: it outlives pvm killed, and every reader sees it) and syncs the
 * file once, as the run ends. A crash of the machine before that may lose
 * the last entries, and it also ends the processes they patched, whose
 * memory goes with them: what is lost is the record, never an undo that
 * could still be made (docs/language.md, "The journal's sync").
 */
export type JournalSync = 'each' | 'end';

export interface JournalFile {
  /** Appends the entries as one write (and, syncing each, one sync): in the file before the writes they record. Throws unless every byte is written. */
  append(entries: readonly JournalEntry[]): void;
  /** Syncs what `end` left unsynced, then closes; throws if the sync fails. */
  close(): void;
}

const NEWLINE = 0x0a;

export function openJournal(path: string, sync: JournalSync = 'each'): JournalFile {
  const unwritable = (error: unknown): DeniedError => {
    // Exit 3, as for a journal that fills up: no write is made that cannot be journaled (docs/language.md).
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    return new DeniedError('journal-unwritable', `cannot open the journal '${path}' for appending: ${why}; nothing was written to the target`, { hint: 'choose a journal file in a directory you can write' });
  };
  /** The open file, and whether pvm may read it (to see whether its last line was cut). */
  let file: { fd: number; readable: boolean } | undefined;
  /** Appends made and not synced yet (`end`). */
  let unsynced = false;
  const open = (create: boolean): { fd: number; readable: boolean } => {
    if (create) {
      try {
        // Made here, by the first append: exclusively, so that of two pvms making it one syncs its name.
        const fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL, 0o600);
        // A new file's name is durable only once its directory is synced too.
        syncDirectory(dirname(resolve(path)));
        return { fd, readable: true };
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST') throw error;
      }
    }
    try {
      return { fd: openSync(path, 'a+'), readable: true };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EACCES') throw error;
      return { fd: openSync(path, 'a'), readable: false }; // may append, may not read: each append starts a line of its own
    }
  };
  try {
    const existing = statOrUndefined(path);
    if (existing?.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
    const refused = notAppendable(path);
    if (refused !== undefined) throw new Error(refused);
    if (existing !== undefined) file = open(false);
    else {
      // Not made yet: its directory must exist and be writable, so that the first append can make it.
      const directory = dirname(resolve(path));
      if (!statSync(directory).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOENT' });
      accessSync(directory, constants.W_OK | constants.X_OK);
    }
  } catch (error) {
    throw unwritable(error);
  }
  return {
    append(entries) {
      if (entries.length === 0) return;
      try {
        file ??= open(true);
      } catch (error) {
        throw unwritable(error);
      }
      const { fd, readable } = file;
      try {
        // A line cut short (pvm killed as it wrote, or a full disk) would swallow the first entry appended to it:
        // that entry starts a new line. (An empty line, where another pvm got there first, is skipped when read.)
        const text = entries.map((entry) => `${journalLine(entry)}\n`).join('');
        const bytes = Buffer.from(endsCut(fd, readable) ? `\n${text}` : text);
        // pvm status and revert read a journal of at most MAX_JOURNAL_BYTES: one that grew past it could not be undone.
        if (fstatSync(fd).size + bytes.length > MAX_JOURNAL_BYTES) {
          throw new Error(`it would pass ${MAX_JOURNAL_BYTES} bytes, the most pvm status and pvm revert read (start a new journal file)`);
        }
        // One write of whole lines on an O_APPEND file: other pvms appending to it never cut into them. A short
        // write (the disk filled, the file reached its size limit) is continued, to learn why it stopped.
        let written = 0;
        while (written < bytes.length) {
          const n = writeSync(fd, bytes, written, bytes.length - written);
          if (n <= 0) throw new Error(`wrote ${written} of its ${bytes.length} bytes`);
          written += n;
        }
        if (sync === 'each') fdatasyncSync(fd); // the data and the file's new size: all a reader after a crash needs
        else unsynced = true;
      } catch (error) {
        // Thrown before the write it would record: the patch writes nothing. A line this left cut short is
        // reported and left out when the journal is read, and the next append starts after it.
        throw new DeniedError('journal-write-failed', `cannot append to the journal '${path}': ${(error as Error).message}; nothing was written to the target`, {
          hint: 'free some disk space or choose another journal file: pvm makes no write it cannot journal',
          cause: error,
        });
      }
    },
    close() {
      if (file === undefined) return;
      const { fd } = file;
      file = undefined;
      try {
        if (unsynced) fdatasyncSync(fd);
      } catch (error) {
        throw new DeniedError('journal-sync-failed', `cannot sync the journal '${path}' to disk: ${(error as Error).message}; its entries were written, and a crash of the machine may lose them`, {
          hint: 'check the disk (`dmesg`); the patched processes are as the journal says until the machine restarts',
          cause: error,
        });
      } finally {
        closeSync(fd);
      }
    },
  };
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether the file's last byte is not a newline: its last line was cut short. Unknown (unreadable): assume so. */
function endsCut(fd: number, readable: boolean): boolean {
  if (!readable) return true;
  const { size } = fstatSync(fd);
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  return readSync(fd, last, 0, 1, size - 1) !== 1 || last[0] !== NEWLINE;
}

function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
