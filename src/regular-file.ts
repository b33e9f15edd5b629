// Files pvm opens by a name it is given (a policy, an `--arg NAME=@FILE`, a
// journal, a file a core names): only regular files, opened without
// blocking (a FIFO's open waits for a writer; /dev/stdin on a pipe may never
// end), and those read whole only up to a bound (/dev/zero never ends
// either). Every refusal says why and what to do instead; the caller makes
// it its own error, naming the file.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';

/** Why a file was refused, in words for a message, and how to fix it when pvm knows. */
export interface Refusal {
  readonly why: string;
  readonly fix: string | undefined;
  /** It was refused for its size. */
  readonly tooLarge?: boolean;
}

/**
 * The text of `path` (UTF-8), or `refuse(…)`'s error thrown: it is not a
 * regular file, holds more than `limit` bytes, or cannot be read; or, when
 * `strict`, is not UTF-8 (else each byte that is not becomes U+FFFD).
 */
export function readBoundedFile(path: string, limit: number, refuse: (refusal: Refusal) => Error, strict = false): string {
  const bytes = readBoundedBytes(path, limit, refuse);
  try {
    return new TextDecoder('utf-8', { fatal: strict }).decode(bytes);
  } catch {
    throw refuse({ why: 'it is not UTF-8 text', fix: undefined });
  }
}

/** The bytes of `path`, read once, as readBoundedFile reads them (a regular file, at most `limit` bytes). */
export function readBoundedBytes(path: string, limit: number, refuse: (refusal: Refusal) => Error): Uint8Array {
  const opened = openRegularFile(path);
  if ('problem' in opened) throw refuse({ why: opened.problem, fix: opened.regular === false ? 'pvm reads it only from a regular file: save it to one first' : undefined });
  const { fd } = opened;
  try {
    const stat = fstatSync(fd);
    const tooLarge = (size: string) => refuse({ why: `it holds ${size} bytes, more than the ${limit} pvm reads from it`, fix: 'give a smaller file', tooLarge: true });
    if (stat.size > limit) throw tooLarge(String(stat.size));
    // To the end, never past the bound: a file may grow while it is read.
    let buffer = new Uint8Array(Math.min(limit, stat.size) + 1);
    let got = 0;
    for (;;) {
      if (got === buffer.length) {
        const larger = new Uint8Array(Math.min(limit + 1, buffer.length * 2));
        larger.set(buffer);
        buffer = larger;
      }
      let n: number;
      try {
        n = readSync(fd, buffer, got, buffer.length - got, null);
      } catch (error) {
        throw refuse({ why: (error as Error).message, fix: undefined });
      }
      if (n === 0) return buffer.subarray(0, got);
      got += n;
      if (got > limit) throw tooLarge(`over ${limit}`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens `path` for positioned reads (symlinks followed) when it is a regular
 * file: the fd, or why not (`no such file`, `it is a pipe (FIFO), not a
 * regular file` …). Never blocks, never reads.
 */
export function openRegularFile(path: string): { readonly fd: number } | { readonly problem: string; readonly regular: boolean | undefined } {
  // Looked at before it is opened: opening a device can do things even without blocking (a watchdog arms, a
  // terminal becomes the controlling one). What is opened is checked again (fstat), as it may change in between.
  try {
    const before = statSync(path);
    if (!before.isFile()) return { problem: `it is ${kindOf(before)}, not a regular file`, regular: false };
  } catch {
    // the open below says why (no such file, permission denied …)
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // ENXIO: a socket (/dev/stdin of a process started with a socket for its input) or a device with nothing behind it.
    if (code === 'ENXIO') return { problem: 'it is a socket or a device, not a regular file', regular: false };
    return { problem: code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message, regular: undefined };
  }
  const stat = attemptStat(fd);
  if (stat === undefined || !stat.isFile()) {
    closeSync(fd);
    return stat === undefined ? { problem: 'it cannot be examined (fstat failed)', regular: undefined } : { problem: `it is ${kindOf(stat)}, not a regular file`, regular: false };
  }
  return { fd };
}

function attemptStat(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

/** What a file that is not regular is, in words: `a directory`, `a pipe (FIFO)` … */
export function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Why pvm will not append to `path` (a journal, an audit log), or undefined:
 * it does not exist yet, or is a regular file. Appending to a FIFO blocks once
 * no one reads it, and a device cannot be synced: a record pvm keeps is a file.
 */
export function notAppendable(path: string): string | undefined {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return undefined; // absent (made by its first line), or a problem the open itself will name
  }
  return stat.isFile() ? undefined : `it is ${kindOf(stat)}, not a regular file`;
}
