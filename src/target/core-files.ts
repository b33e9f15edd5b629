// The files a core's mappings name (NT_FILE), for the bytes the core does not
// hold: the kernel leaves unmodified file pages out, gcore some whole
// mappings. A file is used only once it is known to be the one the process
// mapped: for an ELF file, its build-id must equal the one in the core's own
// copy of the file's first page (the kernel dumps ELF headers by default).
// A file that is missing, or another build, is an error naming the bytes
// that cannot be read and why: never silent zeros.
import { closeSync, openSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { TargetError } from '../errors.ts';
import { readAt, readFileAsMapped } from './file-mapping.ts';
import { buildIdInNotes, type FileReader, PT_LOAD, PT_NOTE } from '../native/elf.ts';
import { permsAtOffset, readElfHeaders } from '../native/elf-headers.ts';
import type { CoreRegion } from './core-regions.ts';

type Opened = { readonly fd: number } | { readonly problem: string };

export class CoreFiles {
  readonly #regions: readonly CoreRegion[];
  /** Build-ids a snapshot recorded, by path: checked when the core lacks the file's first page. */
  readonly #recorded: (path: string) => string | undefined;
  /** The core's own bytes at an address (not a file's), or undefined. */
  readonly #held: (address: bigint, length: number) => Uint8Array | undefined;
  readonly #opened = new Map<string, Opened>();

  constructor(regions: readonly CoreRegion[], held: (address: bigint, length: number) => Uint8Array | undefined, recorded: (path: string) => string | undefined = () => undefined) {
    this.#regions = regions;
    this.#held = held;
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

  /** Positioned reads of a mapped file, for symbols; checked like the bytes, and against the build-id a snapshot recorded for it. */
  reader(path: string, who: string, expected: string | undefined): FileReader {
    const opened = this.#open(path, expected);
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

  #open(path: string, expected?: string): Opened {
    let opened = this.#opened.get(path);
    if (opened === undefined) {
      opened = this.#check(path, expected ?? this.#recorded(path));
      this.#opened.set(path, opened);
    }
    return opened;
  }

  /** Opens the file and compares its build-id with the one the core holds for it, or the one a snapshot recorded. */
  #check(path: string, recorded: string | undefined): Opened {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      return { problem: (error as { code?: string }).code === 'ENOENT' ? 'is not on this machine' : `cannot be opened (${(error as Error).message})` };
    }
    const headers = attempt(() => readElfHeaders((offset, length) => readAt(fd, offset, length)));
    const running = (headers === undefined ? undefined : this.#runningBuildId(path, headers.segments)) ?? recorded;
    if (headers?.buildId !== undefined && running !== undefined && running !== headers.buildId) {
      closeSync(fd);
      return { problem: `is another build (build-id ${headers.buildId}; the process ran ${running})` };
    }
    return { fd };
  }

  /** The build-id in the core's copy of the file's notes, read where the process had them: note vaddr + load bias. */
  #runningBuildId(path: string, segments: readonly { type: number; vaddr: bigint; filesz: bigint }[]): string | undefined {
    const base = this.#regions.find((r) => r.path === path && r.offset === 0n);
    const first = segments.find((s) => s.type === PT_LOAD);
    if (base === undefined || first === undefined) return undefined;
    const bias = base.start - (first.vaddr & ~0xfffn);
    for (const note of segments.filter((s) => s.type === PT_NOTE && s.filesz < 1n << 16n)) {
      const bytes = this.#held(note.vaddr + bias, Number(note.filesz));
      const id = bytes === undefined ? undefined : buildIdInNotes(bytes);
      if (id !== undefined) return id;
    }
    return undefined;
  }
}

/** The permissions of a mapping of `path` at `offset`, from the file's ELF headers (gcore leaves some mappings out of the core). */
export function filePerms(path: string, offset: bigint): string | undefined {
  return attempt(() => {
    const fd = openSync(path, 'r');
    try {
      const headers = readElfHeaders((at, length) => readAt(fd, at, length));
      return headers === undefined ? undefined : permsAtOffset(headers, offset);
    } finally {
      closeSync(fd);
    }
  });
}
