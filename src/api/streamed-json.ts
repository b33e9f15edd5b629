// A JSON document written as it grows, byte for byte what
// `JSON.stringify(document, null, 2)` would write at the end, so that a
// report holds no more than a buffer of its events in memory however much a
// run prints (issue 29: 200 prints of a 100 000-item list held 1.6 GB).
//
// The document's shape is known up front: a skeleton whose streamed arrays
// are placeholders. What comes before the first array is written at once,
// each array's items as they come (an array that is not the last streamed
// goes to a spill file beside the document, joined in at the end), and a
// value known only at the end (when the run ended) is a placeholder of fixed
// width, written in place when the document is finished.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** Placeholders carry a nonce, so that no value a user gives (an argument, a command line) can pass for one. */
const NONCE = globalThis.crypto.randomUUID();
const marker = (name: string) => `@${NONCE}:streamed:${name}@`;

/** Bytes buffered before they are written. */
const FLUSH_BYTES = 1 << 20;

/** An array of the document written item by item, at the depth the skeleton puts it. */
class StreamedArray {
  #count = 0;
  #buffer: string[] = [];
  #buffered = 0;
  readonly #indent: string;
  readonly #write: (text: string) => void;

  constructor(depth: number, write: (text: string) => void) {
    this.#indent = ' '.repeat(depth * 2);
    this.#write = write;
  }

  push(item: unknown): void {
    this.pushText([JSON.stringify(item, null, 2)]);
  }

  /** An item given as its JSON text, as `JSON.stringify(item, null, 2)` writes it, in pieces (it may be large). */
  pushText(pieces: Iterable<string>): void {
    this.#add(`${this.#count === 0 ? '[\n' : ',\n'}${this.#indent}  `);
    for (const piece of pieces) this.#add(piece.replaceAll('\n', `\n${this.#indent}  `));
    this.#count++;
  }

  /** The array's end: `[]` when empty. */
  close(): void {
    this.#add(this.#count === 0 ? '[]' : `\n${this.#indent}]`);
    this.flush();
  }

  flush(): void {
    if (this.#buffered === 0) return;
    this.#write(this.#buffer.join(''));
    this.#buffer = [];
    this.#buffered = 0;
  }

  #add(text: string): void {
    this.#buffer.push(text);
    this.#buffered += text.length;
    if (this.#buffered >= FLUSH_BYTES) this.flush();
  }
}

export interface StreamedJson {
  /** Appends an item to the streamed array `name`. */
  push(name: string, item: unknown): void;
  /** Appends an item given as its JSON text (2-space indented, at depth 0), in pieces. */
  pushText(name: string, pieces: Iterable<string>): void;
  /** Writes the rest: `late` gives the placeholders' values (each exactly as long as the placeholder said) and the tail's. */
  finish(late: Readonly<Record<string, unknown>>): void;
  /** Stops where it is (the document stays cut short) and removes the spill files. */
  abandon(): void;
}

/**
 * Starts writing `skeleton` to `path`: `arrays` names its streamed arrays, in
 * document order, each a value `streamedArray(name)` in the skeleton;
 * `fixed(name, width)` is a string placeholder of a known width; `tail(name)`
 * a value given at the end, after the last array (exit status, error).
 */
export function streamJson(path: string, skeleton: unknown, arrays: readonly string[]): StreamedJson {
  const text = JSON.stringify(skeleton, null, 2);
  // Where each array sits, and its depth (its line's indentation / 2).
  const pieces: { name: string; at: number; depth: number }[] = arrays.map((name) => {
    const quoted = JSON.stringify(marker(name));
    const at = text.indexOf(quoted);
    if (at < 0) throw new Error(`streamed array ${name} is not in the skeleton`);
    const lineStart = text.lastIndexOf('\n', at) + 1;
    return { name, at, depth: (text.slice(lineStart).search(/\S/)) / 2 };
  });
  const fd = openSync(path, 'w');
  const writeOut = (chunk: string) => writeAll(fd, Buffer.from(chunk));
  // Fixed-width placeholders before the first array are written now, as `"` and their width in spaces and `"`, and
  // overwritten at the end; their byte offsets are counted in the text as written.
  const head = text.slice(0, pieces[0]!.at);
  const fixedPattern = new RegExp(`"@${NONCE}:fixed:([^:]+):(\\d+)@"`, 'g');
  const fixed: { name: string; width: number; at: number }[] = [];
  let shift = 0;
  writeOut(head.replace(fixedPattern, (match: string, name: string, width: string, offset: number) => {
    const blank = `"${' '.repeat(Number(width))}"`;
    fixed.push({ name, width: Number(width), at: Buffer.byteLength(head.slice(0, offset)) + shift });
    shift += Buffer.byteLength(blank) - Buffer.byteLength(match);
    return blank;
  }));
  // The first array streams into the document; the later ones into spill files, joined in when the document ends,
  // each made anew (O_EXCL: never through a link left there) under a name no other run takes.
  const spills = pieces.slice(1).map(({ name }) => `${path}.${name}-${process.pid}-${NONCE.slice(0, 8)}.part`);
  const spillFds: number[] = [];
  try {
    for (const spill of spills) spillFds.push(openSync(spill, 'wx+', 0o600));
  } catch (error) {
    spillFds.forEach((spillFd) => closeSync(spillFd));
    closeSync(fd);
    throw error;
  }
  const writers = pieces.map(({ depth }, i) => new StreamedArray(depth, i === 0 ? writeOut : (chunk) => writeAll(spillFds[i - 1]!, Buffer.from(chunk))));
  /** Closes the files and removes the spills, once, whether the document was finished or abandoned. */
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    spillFds.forEach((spillFd) => closeSync(spillFd));
    spills.forEach((spill) => rmSync(spill, { force: true }));
    closeSync(fd);
  };
  return {
    push(name, item) {
      writers[arrays.indexOf(name)]!.push(item);
    },
    pushText(name, pieces) {
      writers[arrays.indexOf(name)]!.pushText(pieces);
    },
    finish(late) {
      try {
        writers.forEach((writer) => writer.close());
        pieces.forEach((piece, i) => {
          if (i > 0) {
            // The skeleton between the previous array and this one, then this one's items from its spill file.
            writeOut(text.slice(pieces[i - 1]!.at + JSON.stringify(marker(pieces[i - 1]!.name)).length, piece.at));
            const buffer = new Uint8Array(FLUSH_BYTES);
            for (let offset = 0, n = readSync(spillFds[i - 1]!, buffer, 0, buffer.length, 0); n > 0; offset += n, n = readSync(spillFds[i - 1]!, buffer, 0, buffer.length, offset)) {
              writeAll(fd, buffer.subarray(0, n));
            }
          }
        });
        const last = pieces[pieces.length - 1]!;
        const tail = text.slice(last.at + JSON.stringify(marker(last.name)).length);
        // Tail values sit two levels deep (a report's `results`): their own lines are indented by four more spaces.
        const tailPattern = new RegExp(`"@${NONCE}:tail:([^@]+)@"`, 'g');
        writeOut(`${tail.replace(tailPattern, (_, name: string) => JSON.stringify(late[name], null, 2).replaceAll('\n', '\n    '))}\n`);
        for (const { name, width, at } of fixed) {
          const value = String(late[name] ?? '').padEnd(width).slice(0, width);
          writeSync(fd, Buffer.from(value), 0, Buffer.byteLength(value), at + 1);
        }
      } finally {
        close();
      }
    },
    abandon: close,
  };
}

/** Writes all of `bytes` (a write may take fewer). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** The skeleton's value for a streamed array. */
export function streamedArray(name: string): string {
  return marker(name);
}

/** The skeleton's value for a string of `width` characters known only at the end (ASCII). */
export function fixedString(name: string, width: number): string {
  return `@${NONCE}:fixed:${name}:${width}@`;
}

/** The skeleton's value for a value given at the end, after the last streamed array. */
export function tailValue(name: string): string {
  return `@${NONCE}:tail:${name}@`;
}
