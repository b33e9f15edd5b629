import {
  describeTarget,
  count,
  hexAddress,
  formatBytes2
} from "./main-96f73920.js";

// src/cli/snapshot-format.ts
function formatSnapshot(summary, identity, json) {
  const range = (r) => ({ start: hexAddress(r.start), end: hexAddress(r.end) });
  if (json) {
    return JSON.stringify({
      type: "snapshot",
      pid: identity.pid ?? null,
      file: summary.file,
      regions: summary.regions,
      bytes: summary.bytes,
      holes: summary.holes,
      threads: summary.threads,
      registers: summary.registersMissing === undefined,
      registersMissing: summary.registersMissing ?? null,
      frozen: summary.frozen,
      leftOut: summary.leftOut.map((r) => ({ ...range(r), reason: r.reason })),
      missing: summary.missing.map(range),
      micros: summary.micros,
      stoppedMicros: summary.stoppedMicros
    });
  }
  const moment = summary.frozen ? `every thread stopped for the whole capture (${(summary.stoppedMicros / 1000).toFixed(1)} ms): one consistent moment` : "taken while the process ran (its memory may have changed during the capture; --freeze stops it for one consistent moment)";
  const lines = [
    `snapshot of ${describeTarget(identity)} written to ${summary.file}: ${formatBytes2(summary.bytes)} in ${count(summary.regions, "region")}, ${formatBytes2(summary.holes)} of untouched pages left as holes`,
    `  ${moment}`,
    `  ${count(summary.threads, "thread")}, ${summary.registersMissing === undefined ? "with registers" : `registers missing: ${summary.registersMissing}`}`
  ];
  for (const r of summary.leftOut)
    lines.push(`  left out ${hexAddress(r.start)}-${hexAddress(r.end)} (${formatBytes2(Number(r.end - r.start))}): ${r.reason}`);
  for (const r of summary.missing)
    lines.push(`  could not read ${hexAddress(r.start)}-${hexAddress(r.end)} (${formatBytes2(Number(r.end - r.start))}): unmapped or changed during the capture`);
  return lines.join(`
`);
}
export {
  formatSnapshot
};
