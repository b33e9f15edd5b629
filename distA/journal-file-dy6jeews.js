import {
  UsageError,
  DeniedError,
  hexAddress,
  sha256Hex,
  toHex,
  fromHex
} from "./main-96f73920.js";

// src/cli/journal-file.ts
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

// src/runtime/journal.ts
var JOURNAL_VERSION = 2;
function journalLine(entry) {
  const body = JSON.stringify({
    journal: "pvm",
    version: JOURNAL_VERSION,
    pid: entry.pid,
    startTime: entry.startTime ?? null,
    exe: entry.exe ?? null,
    recipe: entry.recipe,
    statement: entry.statement,
    patch: entry.patch ?? null,
    line: entry.line,
    address: hexAddress(entry.address),
    module: entry.module === undefined ? null : { path: entry.module.path, offset: hexAddress(entry.module.offset), buildId: entry.module.buildId ?? null },
    old: toHex(entry.old),
    new: toHex(entry.new)
  });
  return `${body.slice(0, -1)},"sha256":"${digest(body)}"}`;
}
function digest(body) {
  return sha256Hex(body);
}
function parseJournal(text, incomplete) {
  const entries = [];
  for (const [index, line] of text.split(`
`).entries()) {
    if (line.trim() === "")
      continue;
    let raw;
    try {
      raw = JSON.parse(line);
    } catch {
      if (incomplete === undefined)
        throw new Error(`line ${index + 1} is not JSON`);
      incomplete(index + 1);
      continue;
    }
    if (raw.journal !== "pvm" || raw.version !== JOURNAL_VERSION)
      throw new Error(`line ${index + 1} is not a pvm journal entry (version ${JOURNAL_VERSION})`);
    const { sha256, ...rest } = raw;
    if (sha256 !== digest(JSON.stringify(rest)))
      throw new Error(`line ${index + 1} was changed after pvm wrote it (its sha256 does not match): pvm writes back only bytes it recorded itself`);
    const hex = (value, what) => {
      if (typeof value !== "string" || !/^([0-9a-f]{2})*$/.test(value))
        throw new Error(`line ${index + 1}: ${what} is not hex bytes`);
      return value;
    };
    const address = (value, what) => {
      if (typeof value !== "string" || !/^0x[0-9a-f]+$/.test(value))
        throw new Error(`line ${index + 1}: ${what} is not an address`);
      return BigInt(value);
    };
    const module = raw.module;
    const oldBytes = fromHex(hex(raw.old, "old"));
    const newBytes = fromHex(hex(raw.new, "new"));
    if (oldBytes.length !== newBytes.length || oldBytes.length === 0)
      throw new Error(`line ${index + 1}: old and new bytes differ in length`);
    if (typeof raw.pid !== "number")
      throw new Error(`line ${index + 1}: no pid`);
    entries.push({
      pid: raw.pid,
      startTime: typeof raw.startTime === "string" ? raw.startTime : undefined,
      exe: typeof raw.exe === "string" ? raw.exe : undefined,
      recipe: raw.recipe,
      statement: raw.statement === "write" ? "write" : "patch",
      patch: typeof raw.patch === "string" ? raw.patch : undefined,
      line: Number(raw.line),
      address: address(raw.address, "address"),
      module: module === null || module === undefined ? undefined : { path: module.path, offset: address(module.offset, "module offset"), buildId: module.buildId ?? undefined },
      old: oldBytes,
      new: newBytes
    });
  }
  return entries;
}

// src/cli/journal-file.ts
function openJournal(path) {
  let fd;
  try {
    const created = !existsSync(path);
    fd = openSync(path, "a", 384);
    if (created)
      syncDirectory(dirname(resolve(path)));
  } catch (error) {
    const code = error.code;
    const why = code === "ENOENT" ? "its directory does not exist" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : error.message;
    throw new DeniedError("journal-unwritable", `cannot open the journal '${path}' for appending: ${why}; nothing was written to the target`, { hint: "choose a journal file in a directory you can write" });
  }
  return {
    append(entries) {
      if (entries.length === 0)
        return;
      try {
        writeSync(fd, entries.map((entry) => `${journalLine(entry)}
`).join(""));
        fdatasyncSync(fd);
      } catch (error) {
        throw new DeniedError("journal-write-failed", `cannot append to the journal '${path}': ${error.message}; nothing was written to the target`, {
          hint: "free some disk space or choose another journal file: pvm makes no write it cannot journal",
          cause: error
        });
      }
    },
    close() {
      closeSync(fd);
    }
  };
}
function syncDirectory(directory) {
  const fd = openSync(directory, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
function readJournal(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = error.code === "ENOENT" ? "no such file" : error.message;
    throw new UsageError("journal-unreadable", `cannot read the journal '${path}': ${reason}`, { hint: "give the file that `pvm run --journal FILE` wrote" });
  }
  const incomplete = [];
  try {
    return { entries: parseJournal(text, (line) => incomplete.push(line)), incomplete };
  } catch (error) {
    throw new UsageError("journal-invalid", `${path} is not a pvm journal: ${error.message}`, { hint: "give the file that `pvm run --journal FILE` wrote" });
  }
}
function readJournalWarning(path) {
  const { entries, incomplete } = readJournal(path);
  for (const line of incomplete)
    process.stderr.write(`pvm: warning: ${path} line ${line} is incomplete (cut short while pvm wrote it?): left out; the other entries are used
`);
  return entries;
}
export {
  openJournal,
  readJournalWarning
};
