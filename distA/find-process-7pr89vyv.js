import {
  TargetError
} from "./main-96f73920.js";

// src/target/find-process.ts
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
function findProcessByName(name, self) {
  const matches = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry))
      continue;
    const pid = Number(entry);
    if (pid === self)
      continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").replace(/\n$/, "");
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\x00")[0] ?? "";
      if (comm === name || basename(argv0) === name)
        matches.push({ pid, comm });
    } catch {}
  }
  matches.sort((a, b) => a.pid - b.pid);
  const [first, second] = matches;
  if (first === undefined) {
    throw new TargetError("no-such-process", `no process named '${name}'`, { hint: "check the name with `ps -e`, or pass --pid N" });
  }
  if (second !== undefined) {
    const list = matches.slice(0, 8).map((m) => m.pid).join(", ");
    throw new TargetError("ambiguous-process", `${matches.length} processes are named '${name}' (pids ${list}${matches.length > 8 ? ", …" : ""})`, {
      hint: "pick one with --pid N"
    });
  }
  return first.pid;
}
export {
  findProcessByName
};
