// The files a core's mappings name (NT_FILE), for the bytes the core does not
// hold: the kernel leaves unmodified file pages out, gcore some whole
// mappings. A file is used only once it is known to be the one the process
// mapped: for an ELF file, its build-id must equal the one in the core's own
// copy of the file's first page (the kernel dumps ELF headers by default).
// A file that is missing, or another build, is an error naming the bytes
// that cannot be read and why: never silent zeros.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { TargetError } from '../errors.ts';
import { buildIdInNotes, PT_LOAD, PT_NOTE } from '../native/elf.ts';
import { permsAtOffset, readElfHeaders } from '../native/elf-headers.ts';
import type { CoreRegion } from './core-regions.ts';

type Opened = { readonly fd: number } | { readonly problem: string };

const hex = (n: bigint) => `0x${n.toString(16)}`;
const PAGE = 4096n;

export class CoreFiles {
  readonly #regions: readonly CoreRegion[];
  /** The core's own bytes at an address (not a file's), or undefined. */
  readonly #held: (address: bigint, length: number) => Uint8Array | undefined;
  readonly #opened = new Map<string, Opened>();

  constructor(regions: readonly CoreRegion[], held: (address: bigint, length: number) => Uint8Array | undefined) {
    this.#regions = regions;
    this.#held = held;
  }

  /**
   * Fills `into` with the file's bytes at `offset`, as the mapping shows them:
   * the page that holds the end of the file is zero-filled past it, and
   * pages wholly past it cannot be read (the process would fault there too).
   * Returns the bytes filled; throws TargetError (exit 4) when the file is
   * missing or not the one mapped.
   */
  read(region: CoreRegion, into: Uint8Array, offset: bigint, who: string, address: bigint): number {
    const path = region.file!;
    const opened = this.#open(path);
    if ('problem' in opened) {
      throw new TargetError('core-file-missing', `cannot read ${hex(address)}-${hex(address + BigInt(into.length))} of ${who}: the core does not hold these bytes, and ${path}, the file mapped there, ${opened.problem}`, {
        hint: 'put the file the process ran with at that path (from the same build), or take a pvm snapshot, which holds every readable page',
      });
    }
    let got = 0;
    while (got < into.length) {
      const n = readSync(opened.fd, into, got, into.length - got, Number(offset) + got);
      if (n <= 0) break;
      got += n;
    }
    if (got === into.length) return got;
    const endOfPage = Number(((offset + BigInt(got) + PAGE - 1n) / PAGE) * PAGE - offset);
    const filled = Math.min(into.length, endOfPage);
    into.fill(0, got, filled);
    return filled;
  }

  /** A whole mapped file, for symbols; checked like the bytes. */
  image(path: string, who: string): Uint8Array {
    const opened = this.#open(path);
    if ('problem' in opened) {
      throw new TargetError('module-unreadable', `cannot read ${path}, a file mapped by ${who}: it ${opened.problem}`, {
        hint: 'pvm reads the ELF file of a module to find its symbols: put the file the process ran with at that path',
      });
    }
    return readFileSync(path);
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

  /** Opens the file and compares its build-id with the one the core holds for it. */
  #check(path: string): Opened {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      return { problem: (error as { code?: string }).code === 'ENOENT' ? 'is not on this machine' : `cannot be opened (${(error as Error).message})` };
    }
    const headers = readElfHeaders((offset, length) => readAt(fd, offset, length));
    const running = headers === undefined ? undefined : this.#runningBuildId(path, headers.segments);
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

function readAt(fd: number, offset: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  const got = readSync(fd, buffer, 0, length, offset);
  return buffer.subarray(0, got);
}
