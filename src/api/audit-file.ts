// `--audit FILE`: one JSON line appended per policy decision (allowed or
// denied, the rule, the range and bytes) and per write, each with the
// sha256 of the policies that decided. Opened before the target is touched.
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { notAppendable } from '../regular-file.ts';
import type { AuditEntry } from '../policy/guard.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import { hexAddress } from '../bytes.ts';

export interface AuditFile {
  append(entry: AuditEntry): void;
  close(): void;
}

export function openAudit(path: string, policies: readonly LoadedPolicy[], target: () => { pid: number | undefined; name: string }): AuditFile {
  let fd: number;
  try {
    const refused = notAppendable(path);
    if (refused !== undefined) throw new Error(refused);
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw new UsageError('audit-unwritable', `cannot open the audit log '${path}' for appending: ${(error as Error).message}`, { hint: 'choose a file in a directory you can write' });
  }
  const digests = policies.map((p) => ({ file: p.path, sha256: p.sha256 }));
  return {
    append(entry) {
      const { pid, name } = target();
      const line = {
        type: 'audit',
        time: new Date().toISOString(),
        pid: pid ?? null,
        name,
        op: entry.op,
        allowed: entry.allowed,
        start: entry.start === undefined ? null : hexAddress(entry.start),
        end: entry.end === undefined ? null : hexAddress(entry.end),
        ranges: entry.ranges ?? null,
        bytes: entry.bytes ?? null,
        rule: entry.rule === undefined ? null : { file: entry.rule.file, path: entry.rule.path, value: entry.rule.value },
        detail: entry.detail ?? null,
        policies: digests,
      };
      writeSync(fd, `${JSON.stringify(line)}\n`);
    },
    close() {
      closeSync(fd);
    },
  };
}
