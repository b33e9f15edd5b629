// `--report FILE` (docs/forensics.md): one JSON document about a run, in two parts.
// `run` says how and when it ran (pvm, the runtime, the host, times, argv),
// and differs from run to run. `results` says what it found, and is the
// same bytes for the same recipe, args and memory: on Node, Bun and Deno, and
// live or on a snapshot of the same unchanged process, except the fields
// docs/forensics.md lists (the target's kind and, for a core, its file and
// sha256). Keys in a fixed order, integers as --json writes them, every
// range the recipe read as its sha256, in the order it read them.
import { sha256, sha256Hex } from '../digest.ts';
import { accessSync, closeSync, constants, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostname, release } from 'node:os';
import { hexAddress, toHex } from '../bytes.ts';
import { type PvmError, UsageError } from '../errors.ts';
import type { Plan } from '../plan/plan.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import type { RecipeSigner } from '../policy/recipe-signature.ts';
import type { OutputEvent } from '../runtime/execute.ts';
import type { JournalEntry } from '../runtime/journal/journal.ts';
import { type Value } from '../runtime/evaluation/value.ts';
import { notAppendable, openRegularFile } from '../regular-file.ts';
import { moduleBuildIds } from '../target/build-ids.ts';
import type { MemorySource, Region } from '../target/target.ts';
import { VERSION } from '../version.ts';
import { eventJson, jsonValue } from './events.ts';
import { fixedString, streamedArray, type StreamedJson, streamJson, tailValue } from './streamed-json.ts';

export const REPORT_FORMAT = 'pvm-report';
export const REPORT_VERSION = 1;

export interface ReportRecorder {
  /** Every output event, as --json shows it. */
  event(event: OutputEvent): void;
  /** Every write made, with the bytes before and after (from the journal hook). */
  write(entry: JournalEntry): void;
  read(address: bigint, bytes: Uint8Array): void;
  /** Writes the rest of the file; `error` when the run failed. */
  finish(error: PvmError | undefined, exit: number): void;
  /** Leaves the report cut short, as it is, and removes its spill file: the run ended without a pvm error (a crash). */
  abandon(): void;
}

/** Starts recording a run of `plan` on `target`; the target's identity is taken now, before the recipe runs. */
export function recordReport(
  file: string,
  plan: Plan,
  params: ReadonlyMap<string, Value>,
  target: MemorySource,
  corePath: string | undefined,
  policies: readonly LoadedPolicy[] = [],
  recipeText?: string,
  signer?: RecipeSigner,
): ReportRecorder {
  const startedAt = new Date().toISOString();
  const regions = target.regions();
  const identity = target.identity;
  const targetPart = {
    kind: identity.kind,
    pid: identity.pid ?? null,
    name: identity.name,
    exe: identity.exe ?? null,
    cmdline: identity.cmdline,
    startTime: identity.startTime ?? null,
    modules: moduleBuildIds(target, regions).map((m) => ({ path: m.path, buildId: m.buildId ?? null })),
    mapsSha256: mapsDigest(regions),
    ...(corePath === undefined ? {} : { core: { file: corePath, sha256: fileDigest(corePath) } }),
  };
  const skeleton = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    run: runPart(startedAt),
    results: {
      // The text, unless left out (--report-without-recipe): what pvm verify reruns. A recipe a policy's
      // recipes.signers verified: its signer's fingerprint, and the signature, which pvm verify checks again.
      recipe: {
        name: plan.recipe.name,
        sha256: plan.recipe.sha256,
        ...(signer === undefined ? {} : { signer: signer.fingerprint, signature: signer.signature }),
        ...(recipeText === undefined ? {} : { text: recipeText }),
      },
      args: Object.fromEntries([...params].map(([name, value]) => [name, jsonValue(value)])),
      target: targetPart,
      policies: policies.map((p) => ({ file: p.path, sha256: p.sha256 })),
      events: streamedArray('events'),
      reads: streamedArray('reads'),
      exit: tailValue('exit'),
      error: tailValue('error'),
    },
  };
  // Written as the run goes (streamed-json.ts), so that a run that prints much holds none of it; created now, so
  // that a report that cannot be written stops the run before it starts (exit 2).
  const unwritable = (error: unknown) => new UsageError('report-unwritable', `cannot write the report ${file}: ${(error as Error).message}`, { hint: 'write the report to a regular file in a directory you may write, on a disk with room' });
  let document: StreamedJson;
  try {
    const refused = notAppendable(file);
    if (refused !== undefined) throw new Error(refused);
    document = streamJson(file, skeleton, ['events', 'reads']);
  } catch (error) {
    throw unwritable(error);
  }
  /** A write that fails (a full disk, a file size limit) stops the run with the report's own error, and the spill goes. */
  const writing = (write: () => void): void => {
    try {
      write();
    } catch (error) {
      document.abandon();
      throw unwritable(error);
    }
  };
  return {
    event(event) {
      if (event.type === 'write' && event.status === 'wrote') return; // the journal entry records it, with the bytes it replaced
      writing(() => document.push('events', eventJson(event)));
    },
    write(entry) {
      if (entry.statement !== 'write') return; // a patch's sites are in its own event
      // Old bytes the policy withholds are null (the write was decided by the write rules alone).
      const before = entry.old.length === entry.new.length ? toHex(entry.old) : null;
      writing(() => document.push('events', { type: 'write', address: hexAddress(entry.address), before, after: toHex(entry.new), line: entry.line }));
    },
    read(address, bytes) {
      writing(() => document.push('reads', { address: hexAddress(address), length: bytes.length, sha256: sha256Hex(bytes) }));
    },
    finish(error, exit) {
      writing(() => document.finish({ endedAt: new Date().toISOString(), exit, error: error === undefined ? null : { code: error.code, message: error.message } }));
    },
    abandon: () => document.abandon(),
  };
}

/** How and when pvm ran, for a report's `run` (its `endedAt` written when the report is finished). */
export function runPart(startedAt: string): Record<string, unknown> {
  return {
    pvm: VERSION,
    runtime: runtimeName(),
    runtimeVersion: runtimeVersion(),
    host: hostname(),
    kernel: release(),
    startedAt,
    endedAt: fixedString('endedAt', startedAt.length),
    argv: process.argv.slice(2),
  };
}

/**
 * Refuses (exit 2) a report that cannot be written, before the target is
 * opened: a file that is not regular (a FIFO blocks, a terminal or pipe
 * cannot take the end time written in place), or a directory pvm may not write.
 */
export function checkReportPath(file: string): void {
  const refused = notAppendable(file);
  if (refused !== undefined) throw new UsageError('report-unwritable', `cannot write the report ${file}: ${refused}`, { hint: 'write the report to a regular file' });
  try {
    accessSync(dirname(resolve(file)), constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new UsageError('report-unwritable', `cannot write the report ${file}: ${(error as { code?: string }).code === 'ENOENT' ? 'its directory does not exist' : 'permission denied'}`, {
      hint: 'choose a file in a directory you may write',
    });
  }
}

/** sha256 of the map as `start-end perms offset path` lines: the same for a process and its snapshot. */
export function mapsDigest(regions: readonly Region[]): string {
  const text = regions.map((r) => `${hexAddress(r.start)}-${hexAddress(r.end)} ${r.perms} ${hexAddress(r.offset)} ${r.path}${r.deleted ? ' (deleted)' : ''}\n`).join('');
  return sha256Hex(text);
}

/** sha256 of a core file, read again (a report records it; pvm verify checks the evidence it is given against it). */
export function fileDigest(path: string): string {
  const hash = sha256();
  // The core was checked to be a regular file when it was opened; checked again, so that a FIFO put in its place never blocks the report.
  const opened = openRegularFile(path);
  if ('problem' in opened) throw new UsageError('core-unreadable', `cannot read ${path} again to record its sha256: ${opened.problem}`, { hint: 'leave the core file in place while pvm reads it' });
  const { fd } = opened;
  try {
    const buffer = new Uint8Array(1 << 20);
    for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.hex();
}

function runtimeName(): string {
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined') return 'bun';
  if (typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined') return 'deno';
  return 'node';
}

function runtimeVersion(): string {
  const versions = process.versions as Record<string, string | undefined>;
  return versions.bun ?? versions.deno ?? versions.node ?? 'unknown';
}
