import {
  attempt,
  readAt,
  readElfHeaders,
  parseStatus
} from "./main-96f73920.js";

// src/target/target-facts.ts
import { closeSync, openSync, readFileSync, readlinkSync } from "node:fs";
function liveTargetFacts(pid) {
  const status = attempt(() => parseStatus(readFileSync(`/proc/${pid}/status`, "utf8")));
  return {
    exe: attempt(() => readlinkSync(`/proc/${pid}/exe`)),
    buildId: attempt(() => buildIdOfFile(`/proc/${pid}/exe`)),
    uid: status?.uid[0],
    comm: status?.name ?? "",
    cgroups: (attempt(() => readFileSync(`/proc/${pid}/cgroup`, "utf8")) ?? "").split(`
`).map((line) => line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1)).filter((path) => path.startsWith("/"))
  };
}
function coreTargetFacts(core) {
  const { exe, name } = core.identity;
  return {
    exe,
    buildId: core.snapshot?.modules.find((m) => m.path === exe)?.buildId,
    uid: core.layout.process?.uid,
    comm: name,
    cgroups: []
  };
}
function buildIdOfFile(path) {
  const fd = openSync(path, "r");
  try {
    return readElfHeaders((offset, length) => readAt(fd, offset, length))?.buildId;
  } finally {
    closeSync(fd);
  }
}
export {
  coreTargetFacts,
  liveTargetFacts
};
