import {
  PvmError,
  TargetError,
  attempt,
  count,
  ElfFiles,
  writeStdout,
  selectProcesses,
  nearestProcesses,
  formatError2,
  formatErrorJson2
} from "./main-96f73920.js";
import"./main-382xrxkr.js";
import"./main-zh9kgs33.js";
import"./main-zffz883y.js";
import {
  mostSerious2
} from "./main-wdycb10q.js";
import {
  HELPER_VARIABLE2,
  runPrepared2
} from "./main-dxdz2fvn.js";
import"./main-macb8xf4.js";
import"./main-7cnv84d3.js";

// src/cli/run-many.ts
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
var HELPER_START_MS = 1000;
var HELPER_GRACE_MS = 1e4;
async function runMany(command, prepared, out) {
  const pids = command.pids ?? selectProcesses(command.selector, process.pid);
  if (pids.length === 0) {
    const near = nearestProcesses(command.selector, process.pid);
    const list = near.map((p) => `
  pid ${p.pid} (${p.comm}): ${p.failing.join(", ")} does not hold`).join("");
    throw new TargetError("no-such-process", `no process matches --match ${command.selector?.text ?? ""}${near.length === 0 ? "" : `; the nearest:${list}`}`, {
      hint: "every key must hold; check the selector against `ps -eo pid,uid,comm,exe`"
    });
  }
  const elfFiles = new ElfFiles;
  const results = new Array(pids.length);
  let next = 0;
  let shown = 0;
  const finish = (index, result) => {
    results[index] = result;
    for (;shown < pids.length && results[shown] !== undefined; shown++)
      show(results[shown], command.json, out);
  };
  const helpers = [];
  const handOut = (helper) => {
    if (helper.ended)
      return;
    if (next >= pids.length)
      return helper.stop();
    const index = next++;
    helper.run(pids[index], (result) => {
      finish(index, result);
      handOut(helper);
    });
  };
  const helpersMayStart = !(command.run.recipe.kind === "file" && command.run.recipe.path === "-");
  let warm;
  let ranHere = 0;
  try {
    while (next < pids.length) {
      const index = next++;
      finish(index, await runHere(prepared, pids[index], elfFiles));
      if (ranHere++ === 0)
        warm = Date.now();
      if (ranHere < 2)
        continue;
      const left = pids.length - next;
      const perProcess = (Date.now() - warm) / (ranHere - 1);
      if (helpersMayStart && helpers.length < command.jobs - 1 && left > helpers.length + 1 && perProcess * left > HELPER_START_MS) {
        helpers.push(startHelper(command.childArgs, (helper) => (handOut(helper), handOut(helper))));
      }
      if (helpers.length > 0)
        await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(helpers.map((helper) => helper.finished()));
  } finally {
    elfFiles.close();
  }
  for (let index = 0;index < pids.length; index++) {
    if (results[index] === undefined)
      finish(index, { pid: pids[index], comm: "unknown", exit: 70, stdout: [], stderr: ["pvm: internal error (a bug in pvm, please report it): this process got no result"] });
  }
  const done = results;
  const failed = done.filter((r) => r.exit !== 0).length;
  const exit = mostSerious2(done.map((r) => r.exit));
  const worked = helpers.filter((helper) => helper.wasReady);
  const helped = worked.reduce((n, h) => n + h.done, 0);
  const byHelpers = worked.length === 0 ? "" : ` (${count(worked.length, "helper pvm")} ran ${helped} of them)`;
  out(command.json ? JSON.stringify({ type: "summary", processes: done.length, ok: done.length - failed, failed, exit, helpers: worked.length, helped }) : `${count(done.length, "process")}: ${done.length - failed} ok, ${failed} failed${byHelpers}`);
  return exit;
}
async function runHere(prepared, pid, elfFiles) {
  const stdout = [];
  const stderr = [];
  const comm = commOf(pid);
  let exit = 0;
  try {
    await runPrepared2(prepared, { kind: "pid", pid }, { out: (text) => stdout.push(text), err: (text) => stderr.push(text), progress: false, elfFiles });
  } catch (error) {
    if (!(error instanceof PvmError)) {
      stderr.push(`pvm: internal error (a bug in pvm, please report it): ${error?.stack ?? String(error)}`);
      exit = 70;
    } else {
      if (prepared.command.json)
        stdout.push(formatErrorJson2(error));
      stderr.push(formatError2(error));
      exit = error.exit;
    }
  }
  return { pid, comm, exit, stdout, stderr };
}
function show(result, json, out) {
  const { pid, exit } = result;
  if (json) {
    for (const text of result.stdout)
      for (const line of text.split(`
`))
        out(line.replace(/^\{("type":"[^"]*")/, `{$1,"pid":${pid}`));
  } else {
    out(`== pid ${pid} (${result.comm}): ${exit === 0 ? "ok" : `exit ${exit}`} ==`);
    for (const text of result.stdout)
      out(text);
  }
  for (const text of result.stderr)
    process.stderr.write(`${text.replace(/^(?=.)/gm, `pid ${pid}: `)}
`);
  if (json)
    out(JSON.stringify({ type: "target", pid, status: exit === 0 ? "ok" : "failed", exit }));
}
function startHelper(childArgs, onReady) {
  const self = selfCommand();
  const child = spawn(self[0], [...self.slice(1), ...childArgs, "--pid", "1"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, [HELPER_VARIABLE2]: "1" }
  });
  const pending = [];
  let done = 0;
  let stderr = "";
  let ended = false;
  let ready = false;
  let stopping = false;
  const closed = new Promise((resolve) => {
    child.on("close", (code) => {
      ended = true;
      if (!ready && !stopping && code !== 0)
        process.stderr.write(`pvm: a helper pvm could not start (exit ${code ?? "by a signal"})${stderr === "" ? "" : `: ${stderr.trim()}`}; this pvm went on alone
`);
      for (const { pid, then } of pending.splice(0)) {
        then({
          pid,
          comm: commOf(pid),
          exit: code === null || code === 0 ? 70 : code,
          stdout: [],
          stderr: [`pvm: the helper pvm this process was given to stopped (exit ${code ?? "by a signal"})${stderr === "" ? "" : `: ${stderr.trim()}`}`]
        });
      }
      resolve();
    });
  });
  child.on("error", () => {});
  child.stdin.on("error", () => {});
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => stderr += chunk);
  const helper = {
    get done() {
      return done;
    },
    get ended() {
      return ended;
    },
    get wasReady() {
      return ready;
    },
    run(pid, then) {
      pending.push({ pid, then });
      child.stdin.write(`${pid}
`);
    },
    stop() {
      if (ended)
        return;
      child.stdin.end();
    },
    finished() {
      if (!ready) {
        stopping = true;
        child.kill();
      } else {
        const grace = setTimeout(() => {
          if (pending.length === 0 && !ended)
            child.kill("SIGKILL");
        }, HELPER_GRACE_MS);
        closed.then(() => clearTimeout(grace));
      }
      return closed;
    }
  };
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = attempt(() => JSON.parse(line));
    if (message?.ready === true) {
      ready = true;
      onReady(helper);
    } else if (message !== undefined && pending.length > 0) {
      const { then } = pending.shift();
      done++;
      then({ pid: message.pid, comm: message.comm, exit: message.exit, stdout: message.stdout, stderr: message.stderr });
    }
  });
  return helper;
}
async function serveAsHelper(prepared) {
  const elfFiles = new ElfFiles;
  writeStdout(`${JSON.stringify({ ready: true })}
`);
  try {
    for await (const line of createInterface({ input: process.stdin }))
      writeStdout(`${JSON.stringify(await runHere(prepared, Number(line), elfFiles))}
`);
  } finally {
    elfFiles.close();
  }
}
function commOf(pid) {
  return attempt(() => readFileSync(`/proc/${pid}/comm`, "utf8").trim()) ?? "exited";
}
function selfCommand() {
  if (process.argv[1]?.startsWith("/$bunfs/"))
    return [process.execPath];
  const deno = globalThis.Deno;
  if (deno !== undefined)
    return [deno.execPath(), "run", "--quiet", "--allow-all", process.argv[1]];
  return [process.execPath, process.argv[1]];
}
export {
  runMany,
  serveAsHelper
};
