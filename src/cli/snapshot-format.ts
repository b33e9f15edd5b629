// What `pvm snapshot` says when it is done: for people, or one JSON line.
import { count } from '../count.ts';
import { hexAddress } from '../bytes.ts';
import type { SnapshotSummary } from '../snapshot/capture.ts';
import { describeTarget, type TargetIdentity } from '../target/target.ts';
import { formatBytes } from './format.ts';

export function formatSnapshot(summary: SnapshotSummary, identity: TargetIdentity, json: boolean): string {
  const range = (r: { start: bigint; end: bigint }) => ({ start: hexAddress(r.start), end: hexAddress(r.end) });
  if (json) {
    return JSON.stringify({
      type: 'snapshot',
      pid: identity.pid ?? null,
      file: summary.file,
      regions: summary.regions,
      bytes: summary.bytes,
      holes: summary.holes,
      threads: summary.threads,
      registers: summary.registersMissing === undefined,
      registersMissing: summary.registersMissing ?? null,
      frozen: summary.frozen,
      stoppedBySignal: summary.stoppedBySignal,
      leftOut: summary.leftOut.map((r) => ({ ...range(r), reason: r.reason })),
      missing: summary.missing.map(range),
      micros: summary.micros,
      stoppedMicros: summary.stoppedMicros,
    });
  }
  const moment = summary.frozen
    ? `every thread stopped for the whole capture (${(summary.stoppedMicros / 1000).toFixed(1)} ms): one consistent moment`
    : summary.stoppedBySignal
    ? 'taken while the process was stopped (state T: SIGSTOP or ^Z, before the capture and after it), so it did not run during the capture'
    : 'taken while the process ran (its memory may have changed during the capture; --freeze stops it for one consistent moment)';
  const lines = [
    `snapshot of ${describeTarget(identity)} written to ${summary.file}: ${formatBytes(summary.bytes)} in ${count(summary.regions, 'region')}, ${formatBytes(summary.holes)} of untouched pages left as holes`,
    `  ${moment}`,
    `  ${count(summary.threads, 'thread')}, ${summary.registersMissing === undefined ? 'with registers' : `registers missing: ${summary.registersMissing}`}`,
  ];
  for (const r of summary.leftOut) lines.push(`  left out ${hexAddress(r.start)}-${hexAddress(r.end)} (${formatBytes(Number(r.end - r.start))}): ${r.reason}`);
  for (const r of summary.missing) lines.push(`  could not read ${hexAddress(r.start)}-${hexAddress(r.end)} (${formatBytes(Number(r.end - r.start))}): unmapped or changed during the capture`);
  return lines.join('\n');
}
