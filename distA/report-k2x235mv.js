import {
  UsageError,
  hexAddress,
  sha256,
  sha256Hex,
  toHex,
  jsonValue2,
  formatEvent2,
  VERSION
} from "./main-96f73920.js";
import {
  moduleBuildIds
} from "./main-5kffrt4d.js";

// src/cli/report.ts
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { hostname, release } from "node:os";
var REPORT_FORMAT = "pvm-report";
var REPORT_VERSION = 1;
function recordReport(file, plan, params, target, corePath, policies = []) {
  const startedAt = new Date().toISOString();
  try {
    writeFileSync(file, "");
  } catch (error) {
    throw new UsageError("report-unwritable", `cannot write the report ${file}: ${error.message}`, { hint: "choose a file in a directory you may write" });
  }
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
    ...corePath === undefined ? {} : { core: { file: corePath, sha256: fileDigest(corePath) } }
  };
  const events = [];
  const reads = [];
  return {
    event(event) {
      if (event.type === "write" && event.status === "wrote")
        return;
      const line = formatEvent2(event, true);
      if (line !== undefined)
        events.push(JSON.parse(line));
    },
    write(entry) {
      if (entry.statement !== "write")
        return;
      events.push({ type: "write", address: hexAddress(entry.address), before: toHex(entry.old), after: toHex(entry.new), line: entry.line });
    },
    read(address, bytes) {
      reads.push({ address: hexAddress(address), length: bytes.length, sha256: sha256Hex(bytes) });
    },
    finish(error, exit) {
      const report = {
        format: REPORT_FORMAT,
        version: REPORT_VERSION,
        run: {
          pvm: VERSION,
          runtime: runtimeName(),
          runtimeVersion: runtimeVersion(),
          host: hostname(),
          kernel: release(),
          startedAt,
          endedAt: new Date().toISOString(),
          argv: process.argv.slice(2)
        },
        results: {
          recipe: { name: plan.recipe.name, sha256: plan.recipe.sha256 },
          args: Object.fromEntries([...params].map(([name, value]) => [name, jsonValue2(value)])),
          target: targetPart,
          policies: policies.map((p) => ({ file: p.path, sha256: p.sha256 })),
          events,
          reads,
          exit,
          error: error === undefined ? null : { code: error.code, message: error.message }
        }
      };
      writeFileSync(file, `${JSON.stringify(report, null, 2)}
`);
    }
  };
}
function mapsDigest(regions) {
  const text = regions.map((r) => `${hexAddress(r.start)}-${hexAddress(r.end)} ${r.perms} ${hexAddress(r.offset)} ${r.path}${r.deleted ? " (deleted)" : ""}
`).join("");
  return sha256Hex(text);
}
function fileDigest(path) {
  const hash = sha256();
  const fd = openSync(path, "r");
  try {
    const buffer = new Uint8Array(1 << 20);
    for (let n = readSync(fd, buffer, 0, buffer.length, null);n > 0; n = readSync(fd, buffer, 0, buffer.length, null))
      hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.hex();
}
function runtimeName() {
  if (typeof globalThis.Bun !== "undefined")
    return "bun";
  if (typeof globalThis.Deno !== "undefined")
    return "deno";
  return "node";
}
function runtimeVersion() {
  const versions = process.versions;
  return versions.bun ?? versions.deno ?? versions.node ?? "unknown";
}
export {
  recordReport
};
