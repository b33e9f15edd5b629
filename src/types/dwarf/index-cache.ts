// The type index on disk, so that only the first run over a debug file
// walks its DWARF: one file per build-id under the cache directory
// ($XDG_CACHE_HOME/pvm/types/). Never trusted blindly: it holds its format
// version, the key it was built for, the size of the .debug_info it indexes
// and a SHA-256 of its contents, and any file that is missing, truncated,
// corrupt, of another version or of another build reads as no cache (the
// index is built again and the file rewritten: written aside, then renamed
// over, so a reader never sees half of one). A cache that cannot be written
// (a read-only home) is no error. The directory is used only when it is the
// user's own and no one else can write to it: root under sudo, with another
// user's HOME, neither reads what that user could forge nor writes there.
import { closeSync, fstatSync, lstatSync, mkdirSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openRegularFile } from '../../regular-file.ts';
import { sha256 as hasher } from '../../digest.ts';
import type { TypeIndex } from './type-index.ts';

const FORMAT = 'pvm-type-index';
/** Raised whenever what the file holds (or what the index means) changes. */
export const CACHE_VERSION = 1;
/** No index is larger (libc's: ~2 MB); a larger file is not one pvm wrote. */
const MAX_CACHE_BYTES = 256 << 20;
const DEFINED = 0;
const DECLARED = 1;

/** The file the index of the debug info known by `key` (its build-id) lives in. */
export function cacheFile(cacheDirectory: string, key: string): string {
  return join(cacheDirectory, 'types', `${key.replace(/[^0-9A-Za-z_.-]/g, '_')}.index`);
}

interface Header {
  readonly format: string;
  readonly version: number;
  readonly key: string;
  /** The bytes of .debug_info the index was built from (inflated): a second check that it is this file's. */
  readonly infoBytes: number;
  readonly sha256: string;
  readonly length: number;
}

/** The index kept in `file` for `key`, or undefined when there is none or it cannot be trusted. */
export function readCachedIndex(file: string, key: string): { index: TypeIndex; infoBytes: number } | undefined {
  if (!isOwnDirectory(dirname(file))) return undefined;
  const bytes = readWhole(file);
  if (bytes === undefined) return undefined;
  try {
    const newline = bytes.indexOf(0x0a);
    if (newline < 0 || newline > 4096) return undefined;
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as Header;
    if (header.format !== FORMAT || header.version !== CACHE_VERSION || header.key !== key || !Number.isSafeInteger(header.infoBytes)) return undefined;
    const payload = bytes.subarray(newline + 1);
    if (payload.length !== header.length || sha256(payload) !== header.sha256) return undefined;
    const index = decode(payload);
    return index === undefined ? undefined : { index, infoBytes: header.infoBytes };
  } catch {
    return undefined; // a header that is not JSON: corrupt
  }
}

/** Keeps the index in `file`, atomically; false when it cannot be written. */
export function writeCachedIndex(file: string, key: string, infoBytes: number, index: TypeIndex): boolean {
  const payload = encode(index);
  const header: Header = { format: FORMAT, version: CACHE_VERSION, key, infoBytes, sha256: sha256(payload), length: payload.length };
  const headerBytes = new TextEncoder().encode(`${JSON.stringify(header)}\n`);
  const whole = new Uint8Array(headerBytes.length + payload.length);
  whole.set(headerBytes);
  whole.set(payload, headerBytes.length);
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    if (!makeOwnDirectory(dirname(file), 1)) return false;
    // 'wx': a file (or a symbolic link) already at the temporary name is never written through.
    writeFileSync(temporary, whole, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
    return true;
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was written there either
    }
    return false;
  }
}

function sha256(bytes: Uint8Array): string {
  return hasher().update(bytes).hex();
}

/** A directory (not a link to one) owned by this process's user, which (`strict`) group and others cannot write to. */
function isOwnDirectory(directory: string, strict = true): boolean {
  try {
    const stat = lstatSync(directory);
    const user = process.geteuid?.();
    return stat.isDirectory() && (user === undefined || stat.uid === user) && (!strict || (stat.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

/**
 * Makes `directory` one level at a time, never through a link, each level this user's own: `types/` and
 * `pvm/` (`levels` of them), under a cache base ($XDG_CACHE_HOME, ~/.cache) that is this user's already, or
 * that this user may make in a directory of its own. Root with another user's HOME makes nothing there, and
 * a base under /proc is no directory of anyone's (Node's recursive mkdir spins there).
 */
function makeOwnDirectory(directory: string, levels: number): boolean {
  if (isOwnDirectory(directory, levels >= 0)) return true;
  const parent = dirname(directory);
  if (parent === directory || levels < -1) return false;
  if (!makeOwnDirectory(parent, levels - 1)) return false;
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch {
    return false;
  }
  return isOwnDirectory(directory, levels >= 0);
}

function readWhole(file: string): Uint8Array | undefined {
  const opened = openRegularFile(file);
  if ('problem' in opened) return undefined;
  try {
    const size = fstatSync(opened.fd).size;
    if (size > MAX_CACHE_BYTES) return undefined;
    const buffer = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(opened.fd, buffer, got, size - got, got);
      if (n <= 0) return undefined;
      got += n;
    }
    return buffer;
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * The index as bytes: a count of entries, then each as a kind (defined or
 * declared), its name (length, UTF-8) and its DIE offsets (count, u32 each),
 * all little-endian.
 */
function encode(index: TypeIndex): Uint8Array {
  const encoder = new TextEncoder();
  const entries: { kind: number; name: Uint8Array; offsets: ArrayLike<number> }[] = [];
  for (const [key, offsets] of index.defined) entries.push({ kind: DEFINED, name: encoder.encode(key), offsets });
  for (const [key, offset] of index.declared) entries.push({ kind: DECLARED, name: encoder.encode(key), offsets: [offset] });
  const size = entries.reduce((sum, e) => sum + 9 + e.name.length + 4 * e.offsets.length, 4);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  view.setUint32(at, entries.length, true);
  at += 4;
  for (const { kind, name, offsets } of entries) {
    view.setUint8(at, kind);
    view.setUint32(at + 1, name.length, true);
    bytes.set(name, at + 5);
    at += 5 + name.length;
    view.setUint32(at, offsets.length, true);
    at += 4;
    for (let i = 0; i < offsets.length; i++, at += 4) view.setUint32(at, offsets[i]!, true);
  }
  return bytes;
}

/** The index from its bytes, or undefined when they are not what `encode` makes. */
function decode(bytes: Uint8Array): TypeIndex | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const defined = new Map<string, Uint32Array>();
  const declared = new Map<string, number>();
  if (bytes.length < 4) return undefined;
  const count = view.getUint32(0, true);
  let at = 4;
  for (let entry = 0; entry < count; entry++) {
    if (at + 5 > bytes.length) return undefined;
    const kind = view.getUint8(at);
    const nameLength = view.getUint32(at + 1, true);
    if (at + 9 + nameLength > bytes.length) return undefined;
    const name = decoder.decode(bytes.subarray(at + 5, at + 5 + nameLength));
    at += 5 + nameLength;
    const offsetCount = view.getUint32(at, true);
    at += 4;
    if (at + 4 * offsetCount > bytes.length || offsetCount === 0) return undefined;
    const offsets = new Uint32Array(offsetCount);
    for (let i = 0; i < offsetCount; i++, at += 4) offsets[i] = view.getUint32(at, true);
    if (kind === DEFINED) defined.set(name, offsets);
    else if (kind === DECLARED && offsetCount === 1) declared.set(name, offsets[0]!);
    else return undefined;
  }
  return at === bytes.length ? { defined, declared } : undefined;
}
