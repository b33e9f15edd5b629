// The files a core's mappings name (NT_FILE), for the bytes the core does not
// hold: the kernel leaves unmodified file pages out, gcore some whole
// mappings. A core is a file anyone can write, and its names prove nothing:
// a file is read only when it is a regular file (symlinks followed; never a
// device, FIFO or socket, opened without blocking) and an ELF file whose
// build-id equals the one recorded for it: in the core's own copy of the
// file's first page (core-elf.ts), or in a snapshot's note. A mapping with
// no recorded build-id is not read from any file. A file that is missing,
// another build or not checkable is an error naming the bytes that cannot be
// read and why: never silent zeros, never another file's bytes.
import { closeSync, fstatSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { TargetError } from '../errors.ts';
import { readElfHeaders } from '../native/elf-headers.ts';
import type { FileReader } from '../native/elf.ts';
import { openRegularFile } from '../regular-file.ts';
import type { ProvenElves } from './core-elf.ts';
import { readAt, readFileAsMapped } from './file-mapping.ts';
import type { CoreRegion } from './core-regions.ts';

const PAGE = 0x1000n;

type Opened = { readonly fd: number; readonly size: bigint } | { readonly problem: string };

export class CoreFiles {
  /** What the core's own bytes prove of each file: the build-id recorded for it. */
  readonly #proven: ProvenElves;
  /** Build-ids a snapshot recorded, by path: for a file whose first page the core does not hold. */
  readonly #recorded: (path: string) => string | undefined;
  readonly #opened = new Map<string, Opened>();

  constructor(proven: ProvenElves, recorded: (path: string) => string | undefined = () => undefined) {
    this.#proven = proven;
    this.#recorded = recorded;
  }

  /**
   * Fills `into` with the file's bytes at `offset`, as the mapping shows them:
   * the page that holds the end of the file is zero-filled past it, and
   * pages wholly past it cannot be read (the process would fault there too).
   * Returns the bytes filled, and why it stopped short when the file itself
   * cannot be trusted (missing, another build).
   */
  read(region: CoreRegion, into: Uint8Array, offset: bigint): { readonly filled: number; readonly problem: string | undefined } {
    const path = region.file!;
    const opened = this.#open(path);
    if ('problem' in opened) return { filled: 0, problem: `the core does not hold these bytes, and ${path}, the file mapped there, ${opened.problem}` };
    if (offset + BigInt(into.length) > BigInt(Number.MAX_SAFE_INTEGER)) return { filled: 0, problem: `the core says ${path} is mapped from offset ${offset}, past any file` };
    const filled = readFileAsMapped(opened.fd, into, offset);
    return { filled, problem: undefined };
  }

  /** Why a region's bytes cannot come from its file, or undefined when they can (opens and checks the file once). */
  problemOf(region: CoreRegion): string | undefined {
    if (region.file === undefined) return undefined;
    const opened = this.#open(region.file);
    return 'problem' in opened ? `${region.file}, the file mapped there, ${opened.problem}` : undefined;
  }

  /** Bytes of the region, from its start, that its file can give (0 when it cannot be used): the rest is past the end of the file, where a read faults. */
  extent(region: CoreRegion): bigint {
    if (region.file === undefined) return 0n;
    const opened = this.#open(region.file);
    if ('problem' in opened) return 0n;
    const mapped = (opened.size + PAGE - 1n) / PAGE * PAGE - region.offset;
    const size = region.end - region.start;
    return mapped <= 0n ? 0n : mapped < size ? mapped : size;
  }

  /** Positioned reads of a mapped file, for symbols; checked like the bytes. */
  reader(path: string, who: string): FileReader {
    const opened = this.#open(path);
    if ('problem' in opened) {
      throw new TargetError('module-unreadable', `cannot read ${path}, a file mapped by ${who}: it ${opened.problem}`, {
        hint: 'pvm reads the ELF file of a module to find its symbols: put the file the process ran with at that path',
      });
    }
    const { fd } = opened;
    return { read: (offset, length) => readAt(fd, offset, length) };
  }

  close(): void {
    for (const opened of this.#opened.values()) if ('fd' in opened) closeSync(opened.fd);
    this.#opened.clear();
  }

  #open(path: string): Opened {
    let opened = this.#opened.get(path);
    if (opened === undefined) {
      opened = this.#check(path);
      this.#opened.set(path, opened);
    }
    return opened;
  }

  /** Opens the file when it is a regular file, an ELF file, and has the build-id the core (or a snapshot's note) recorded for it. */
  #check(path: string): Opened {
    const recorded = this.#proven.of(path)?.buildId ?? this.#recorded(path);
    if (recorded === undefined) return { problem: 'cannot be checked: the core records no build-id for it (it holds no copy of the ELF headers of its mapping), so its bytes are not taken from the file' };
    const opened = openRegularFile(path);
    if ('problem' in opened) return { problem: opened.problem === 'no such file' ? 'is not on this machine' : `cannot be used (${opened.problem})` };
    const { fd } = opened;
    const headers = attempt(() => readElfHeaders((offset, length) => readAt(fd, offset, length)));
    const size = attempt(() => BigInt(fstatSync(fd).size));
    const problem = headers === undefined
      ? `is not the file the process mapped (not an ELF file; the process ran build-id ${recorded})`
      : headers.buildId !== recorded
      ? `is another build (${headers.buildId === undefined ? 'no build-id' : `build-id ${headers.buildId}`}; the process ran ${recorded})`
      : size === undefined
      ? 'cannot be examined (fstat failed)'
      : undefined;
    if (problem !== undefined) {
      closeSync(fd);
      return { problem };
    }
    return { fd, size: size! };
  }
}
