// Where a file's types come from: its own DWARF (a program built with -g),
// else its separate debug file, found by build-id or .gnu_debuglink as
// symbols' are (src/target/debug-files.ts). Either way the answer is the
// types, or a TypeProblem naming the files tried and what to install.
import { closeSync } from 'node:fs';
import { basename } from 'node:path';
import { type ElfFile, ElfFormatError, type FileReader, parseElf } from '../native/elf.ts';
import { openRegularFile } from '../regular-file.ts';
import { DEFAULT_DEBUG_DIRECTORIES, findDebugFile } from '../target/debug-files.ts';
import { fileKey, readAt } from '../target/file-mapping.ts';
import { type DwarfDebugTypes, hasDebugInfo, openDebugTypes } from './dwarf/debug-types.ts';
import type { TypeProblem } from './type-source.ts';
import type { DebugLookup } from '../runtime/symbols/elf-files.ts';

/**
 * The DWARF reader, as the resolver is given it (ModuleResolver.debugTypes): loaded only by a run that reads
 * types (src/api/session.ts imports this file when asked), so every other run's start-up never loads it.
 */
export interface DebugInfoReader {
  readonly debugTypesOfModule: typeof debugTypesOfModule;
  readonly openDebugTypes: typeof openDebugTypes;
}

/** e_type of a relocatable object (a .o). */
const ET_REL = 1;

export interface DebugTypesFileOptions {
  /** Where separate debug files are looked for (PVM_DEBUG_FILE_DIRECTORY); /usr/lib/debug unless given. */
  readonly debugDirectories?: readonly string[] | undefined;
  /** pvm's cache directory (src/api/session.ts); undefined keeps no cache. */
  readonly cacheDirectory: string | undefined;
}

/**
 * The types of the module at `path` (parsed as `elf`): from its own DWARF,
 * else from its debug file (`debugFile` looks for it, once).
 */
export function debugTypesOfModule(path: string, elf: ElfFile, debugFile: () => DebugLookup, open: (path: string, elf: ElfFile) => DwarfDebugTypes): DwarfDebugTypes | { problem: TypeProblem } {
  try {
    if (hasDebugInfo(elf)) return open(path, elf);
    const debug = debugFile();
    if ('elf' in debug && hasDebugInfo(debug.elf)) return open(debug.path, debug.elf);
    return { problem: noDebugInfo(path, 'elf' in debug ? [debug.path] : debug.tried, 'elf' in debug) };
  } catch (error) {
    if (error instanceof ElfFormatError) return { problem: badFile(path, error) };
    throw error;
  }
}

/** The types of a plain ELF file or debug file (`pvm types FILE`), found as a module's are. */
export function debugTypesOfFile(path: string, options: DebugTypesFileOptions): DwarfDebugTypes | { problem: TypeProblem } {
  let elf: ElfFile;
  try {
    const reader = reopening(path);
    if ('problem' in reader) return { problem: { code: 'no-module', message: `${path} cannot be opened: ${reader.problem}`, hint: 'give the path of an ELF file (a program, a library, or its debug file)', exit: 2 } };
    elf = parseElf(reader);
  } catch (error) {
    if (error instanceof ElfFormatError) return { problem: badFile(path, error) };
    throw error;
  }
  // A .o's DWARF points into its string and type sections through relocations not yet applied: read as is, every name would be wrong.
  if (elf.type === ET_REL) {
    return {
      problem: {
        code: 'bad-debug-info',
        message: `${path} is a relocatable object (.o), whose debug info pvm cannot read before it is linked`,
        hint: 'give the program or library it is linked into (cc -g -shared -o lib.so file.c makes one)',
        exit: 4,
      },
    };
  }
  return debugTypesOfModule(path, elf, () => {
    const found = findDebugFile(path, elf, options.debugDirectories ?? DEFAULT_DEBUG_DIRECTORIES);
    if (!('file' in found)) return { tried: found.tried };
    found.file.close();
    const reader = reopening(found.file.path);
    return 'problem' in reader ? { tried: [found.file.path] } : { path: found.file.path, elf: parseElf(reader) };
  }, (at, parsed) => openDebugTypes(at, parsed, { cacheDirectory: options.cacheDirectory }));
}

/** What to say of a module with no DWARF and no debug file: the files tried, and the package that would give one. */
function noDebugInfo(path: string, tried: readonly string[], foundWithout: boolean): TypeProblem {
  const name = basename(path);
  const packageHint = /^libc[.-]/.test(name) ? 'libc6-dbg' : /^python3\.\d+$/.test(name) ? `${name}-dbg` : undefined;
  return {
    code: 'no-debug-info',
    message: foundWithout ? `${path} has no debug info, nor has its debug file ${tried[0]}` : `${path} has no debug info, and no debug file was found${tried.length > 0 ? ` (tried ${tried.join(', ')})` : ''}`,
    hint: `install its debug package${packageHint === undefined ? ' (Debian: its -dbgsym package from the debian-debug archive)' : ` (${packageHint})`}, or set PVM_DEBUG_FILE_DIRECTORY to where its debug file is`,
    exit: 4,
  };
}

function badFile(path: string, error: ElfFormatError): TypeProblem {
  return { code: 'bad-debug-info', message: `${path} is not an ELF file pvm can read: ${error.message}`, hint: 'types come from 64-bit little-endian ELF files and their debug files', exit: 4 };
}

/**
 * A reader that opens `path` for each read and checks it is still the file
 * it first opened (by device, inode, size and times): nothing is held open
 * between a lookup's few reads, and a file replaced meanwhile is an error,
 * not a mix of two files.
 */
function reopening(path: string): FileReader | { problem: string } {
  const opened = openRegularFile(path);
  if ('problem' in opened) return { problem: opened.problem };
  let key: string;
  try {
    key = fileKey(opened.fd);
  } finally {
    closeSync(opened.fd);
  }
  return {
    read: (offset, length) => {
      const again = openRegularFile(path);
      if ('problem' in again) throw new ElfFormatError(`${path} cannot be read again: ${again.problem}`);
      try {
        if (fileKey(again.fd) !== key) throw new ElfFormatError(`${path} changed while pvm read it`);
        return readAt(again.fd, offset, length);
      } finally {
        closeSync(again.fd);
      }
    },
  };
}

export const DEBUG_INFO_READER: DebugInfoReader = { debugTypesOfModule, openDebugTypes };
