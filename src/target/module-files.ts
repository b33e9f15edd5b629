// The ELF files a live process mapped, opened for symbols: the very file
// mapped, checked once and read on demand.
import { closeSync, openSync } from 'node:fs';
import { TargetError } from '../errors.ts';
import type { MapsEntry } from '../native/maps.ts';
import { openRegularFile } from '../regular-file.ts';
import { fileKey, isMappedFile, readAt } from './file-mapping.ts';
import { describeTarget, type FileReader, type TargetIdentity } from './target.ts';

export class ModuleFiles {
  readonly #identity: TargetIdentity;
  readonly #maps: () => MapsEntry[];
  /** By path. */
  readonly #opened = new Map<string, number>();

  constructor(identity: TargetIdentity, maps: () => MapsEntry[]) {
    this.#identity = identity;
    this.#maps = maps;
  }

  reader(path: string): FileReader {
    let fd = this.#opened.get(path);
    if (fd === undefined) {
      fd = this.#openModuleFile(path);
      this.#opened.set(path, fd);
    }
    const opened = fd;
    return {
      read: (offset, length) => readAt(opened, offset, length),
      shareable: {
        key: fileKey(opened),
        // /proc/self/fd/N opens the very file this fd holds (deleted or not), independent of this process's lifetime.
        open: () => {
          const own = openSync(`/proc/self/fd/${opened}`, 'r');
          return { reader: { read: (offset, length) => readAt(own, offset, length) }, close: () => closeSync(own) };
        },
      },
    };
  }

  #openModuleFile(path: string): number {
    // Through /proc/PID/root, so a process in another mount namespace (a container) gets its own file; and only
    // the very file mapped (its device and inode): a file replaced, or covered by a bind mount, is not trusted
    // even without a build-id to compare. Then the mapping itself (/proc/PID/map_files, root only) is tried.
    // A regular file only, opened without blocking: a FIFO or a device mounted over the path is not the file mapped.
    const mapped = this.#maps().find((entry) => entry.path === path && entry.offset === 0n);
    const opened = openRegularFile(`/proc/${this.#identity.pid}/root${path}`);
    if ('problem' in opened && (opened.regular !== false || mapped === undefined)) {
      throw new TargetError('module-unreadable', `cannot read ${path}, a file mapped by ${describeTarget(this.#identity)}: ${opened.problem}`, {
        hint: 'pvm reads the ELF file of a module to find its symbols; check that the file still exists',
      });
    }
    if ('fd' in opened) {
      if (mapped === undefined || isMappedFile(opened.fd, mapped)) return opened.fd;
      closeSync(opened.fd);
    }
    // A regular file only, as above: a device mapped there is never opened to block or to stir a driver.
    const mapping = mapped === undefined ? undefined : openRegularFile(`/proc/${this.#identity.pid}/map_files/${mapped.start.toString(16)}-${mapped.end.toString(16)}`);
    if (mapping !== undefined && 'fd' in mapping) return mapping.fd;
    throw new TargetError('module-replaced', `${path} is not the file ${describeTarget(this.#identity)} mapped (another device or inode: replaced since, or covered by a mount)`, {
      hint: 'restart the process to load the current file, or run pvm as root, which reads the mapped file itself',
    });
  }

  close(): void {
    for (const fd of this.#opened.values()) closeSync(fd);
    this.#opened.clear();
  }
}
