#!/usr/bin/env node
import {
  MAX_RECIPE_BYTES,
  Exit,
  PvmError,
  UsageError,
  DeniedError,
  describeTarget,
  count,
  parseReadiness2,
  sleepSync,
  openSession,
  writeStdout,
  parseSelector,
  formatError2,
  formatErrorJson2,
  progressLine,
  VERSION
} from "./main-96f73920.js";

// src/cli/main.ts
import { readFileSync, readSync, statSync } from "node:fs";

// src/cli/args.ts
import os from "node:os";
import { parseArgs } from "node:util";
var USAGE = `usage:
  pvm run RECIPE TARGET [--arg NAME=VALUE]... [--allow-write] [--dry-run] [--freeze]
                        [--journal FILE] [--report FILE] [--json] [--verbose]
  pvm check RECIPE [--policy FILE] [--json]
                                    parse and check; with a policy, what it allows,
                                    denies and leaves to run time; no target needed
  pvm plan RECIPE [--json]          print the compiled plan
  pvm maps TARGET [--json]          the target's regions
  pvm snapshot --pid N -o FILE [--only REGION]... [--freeze] [--json]
                                    save the process's memory as an ELF core
                                    (gdb opens it; --snapshot FILE replays it)
  pvm revert JOURNAL [TARGET] --allow-write [--dry-run] [--freeze] [--json]
                                    undo the patches a journal recorded, where
                                    memory still holds what pvm wrote; without a
                                    target, in every process the journal names
  pvm status JOURNAL [TARGET] [--json]
                                    each journaled site now: applied, reverted,
                                    changed, or gone (the process exited)
  pvm -e 'STATEMENTS' TARGET        a one-line recipe
  pvm repl TARGET [--allow-write] [--dry-run] [--freeze] [--journal FILE] [--json]
                                    statements one at a time, names kept between
                                    them (.help); reads a script from a pipe

TARGET: --pid N | --name PROCESS_NAME | --core FILE | --snapshot FILE
        | --match SELECTOR | --pid N --pid M ...   (run and -e: every process, --jobs N at a time;
          SELECTOR: exe=PATH,name=COMM,module=NAME,build-id=HEX,uid=N,cgroup=PATH, all must hold)
        | [--ready loaded|module:NAME|ms:N] [--then wait|leave|kill] -- COMMAND ARGS...
          (pvm starts the program, runs the recipe once it is ready, then by default waits for it)
run, -e, maps, snapshot and revert take --policy FILE and --audit FILE (docs/policy.md)
exit status: 0 ok, 1 assert failed, 2 usage or invalid recipe, 3 denied, 4 target error`;
var OPTIONS = {
  pid: { type: "string", multiple: true },
  match: { type: "string" },
  jobs: { type: "string" },
  name: { type: "string" },
  arg: { type: "string", multiple: true },
  "allow-write": { type: "boolean" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  "dry-run": { type: "boolean" },
  freeze: { type: "boolean" },
  journal: { type: "string" },
  core: { type: "string" },
  snapshot: { type: "string" },
  output: { type: "string", short: "o" },
  only: { type: "string", multiple: true },
  report: { type: "string" },
  policy: { type: "string" },
  audit: { type: "string" },
  ready: { type: "string" },
  then: { type: "string" },
  e: { type: "string", short: "e" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" }
};
var COMMANDS = ["run", "check", "plan", "maps", "snapshot", "revert", "status", "repl"];
function parseCommandLine(argv) {
  const dash = argv.indexOf("--");
  const spawned = dash < 0 ? undefined : argv.slice(dash + 1);
  const own = dash < 0 ? argv : argv.slice(0, dash);
  let parsed;
  try {
    parsed = parseArgs({ args: [...own], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw usageFromParseArgs(error, argv);
  }
  const { positionals } = parsed;
  const pids = parsed.values.pid;
  const values = { ...parsed.values, pid: pids?.[0], spawned };
  for (const option of ["name", "core", "snapshot", "output", "policy", "audit", "journal", "report", "ready", "then", "match", "jobs"]) {
    const given = parsed.tokens?.filter((t) => t.kind === "option" && t.name === option).length ?? 0;
    if (given > 1)
      throw usage(`--${option} is given ${given} times`, `give --${option} once`);
  }
  const many = (pids?.length ?? 0) > 1 || values.match !== undefined;
  const fanOut = (json) => {
    if (values.match !== undefined && pids !== undefined)
      throw usage("give --match or --pid, not both", "pvm run RECIPE --match name=nginx");
    for (const option of ["name", "core", "snapshot", "report"]) {
      if (values[option] !== undefined)
        throw usage(`--${option} takes one target; with --match or several --pid, leave it out`, "pvm run RECIPE --match name=nginx --json");
    }
    if (spawned !== undefined)
      throw usage("a program started by pvm is one target; --match and several --pid name processes that run already", "pvm run RECIPE -- ./server");
    for (const pid of pids ?? [])
      if (!/^[1-9][0-9]{0,9}$/.test(pid))
        throw usage(`--pid ${pid}: not a process id`, "pass a positive integer, e.g. --pid 4242");
    const jobs = values.jobs === undefined ? Math.max(1, os.availableParallelism?.() ?? os.cpus().length) : Number(values.jobs);
    if (!Number.isSafeInteger(jobs) || jobs < 1)
      throw usage(`--jobs ${values.jobs}: not a positive number`, "pvm run RECIPE --match name=nginx --jobs 4");
    const dropped = new Set;
    for (const token of parsed.tokens ?? []) {
      if (token.kind !== "option" || token.name !== "pid" && token.name !== "match" && token.name !== "jobs")
        continue;
      dropped.add(token.index);
      if (!token.inlineValue)
        dropped.add(token.index + 1);
    }
    const childArgs = own.filter((_, i) => !dropped.has(i));
    const run = parseCommandLine([...childArgs, "--pid", "1"]);
    return { kind: "run-many", run, pids: pids?.map(Number), selector: values.match === undefined ? undefined : parseSelector(values.match), jobs, json, childArgs };
  };
  if (!many && values.jobs !== undefined)
    throw usage("--jobs applies to many targets (--match, or --pid more than once)", "pvm run RECIPE --match name=nginx --jobs 4");
  if (values.name === "")
    throw usage("--name needs a process name", "pvm run RECIPE --name nginx");
  if (values.help)
    return { kind: "help" };
  if (values.version)
    return { kind: "version" };
  const json = values.json ?? false;
  const allowWrite = values["allow-write"] ?? false;
  const verbose = values.verbose ?? false;
  const writing = { dryRun: values["dry-run"] ?? false, freeze: values.freeze ?? false, journal: values.journal };
  if (writing.journal === "")
    throw usage("--journal needs a file name", "pvm run fix.pvm --pid N --allow-write --journal fix.journal");
  if (values.e !== undefined) {
    if (positionals.length > 0)
      throw usage(`unexpected argument '${positionals[0]}' after -e`, "quote the whole recipe: pvm -e 'let x = read u32 at 0x1000; print x' --pid N");
    if (many)
      return fanOut(json);
    return { kind: "run", recipe: { kind: "inline", text: values.e }, target: offlineChecked(targetOf(values), values), args: values.arg ?? [], allowWrite, json, verbose, writing, report: reportOf(values), policy: policyOf(values) };
  }
  const [command, file, ...rest] = positionals;
  if (command === undefined)
    throw usage("no command given", "run `pvm --help` for the commands");
  if (!COMMANDS.includes(command))
    throw usage(`unknown command '${command}'`, `the commands are: ${COMMANDS.join(", ")}, and -e`);
  if (many) {
    if (command !== "run")
      throw usage(`pvm ${command} takes one target: --match and several --pid apply to pvm run and -e`, `pvm ${command} … --pid N`);
    if (file === undefined)
      throw usage("pvm run needs a recipe file", "pvm run RECIPE.pvm --match name=nginx");
    return fanOut(json);
  }
  if (rest.length > 0)
    throw usage(`unexpected argument '${rest[0]}'`, "name the target with --pid N or --name NAME");
  if (command !== "snapshot") {
    for (const option of ["output", "only"]) {
      if (values[option] !== undefined)
        throw usage(`--${option} applies only to pvm snapshot`, "pvm snapshot --pid N -o FILE");
    }
  }
  if (command !== "run" && values.report !== undefined)
    throw usage("--report applies only to pvm run and -e", `pvm run RECIPE --pid N --report FILE`);
  const policy = policyOf(values);
  if (command === "check" && values.audit !== undefined)
    throw usage("pvm check touches no target: there is nothing to audit", "pvm run RECIPE --pid N --policy FILE --audit FILE");
  if (command === "revert") {
    if (file === undefined)
      throw usage("pvm revert needs a journal file", "pvm revert fix.journal --pid N");
    if (values.journal !== undefined)
      throw usage("pvm revert reads the journal it is given; --journal applies to pvm run", `pvm revert ${file} --pid N`);
    if (values.arg !== undefined)
      throw usage("pvm revert takes no --arg", "it writes back only the bytes the journal recorded");
    const target = values.pid === undefined && values.name === undefined && values.spawned === undefined && values.core === undefined && values.snapshot === undefined ? undefined : existingTargetOf(values, "pvm revert writes to the process the journal names");
    if (allowWrite !== true && writing.dryRun !== true) {
      throw new DeniedError("write-not-allowed", `pvm revert writes to the target's memory, and writing was not allowed`, {
        hint: `run it with --allow-write once you have checked the journal (--dry-run shows what it would write, without writing)`
      });
    }
    return { kind: "revert", journal: file, target, json, writing: { dryRun: writing.dryRun, freeze: writing.freeze }, policy };
  }
  if (command === "status") {
    if (file === undefined)
      throw usage("pvm status needs a journal file", "pvm status fix.journal");
    for (const option of ["arg", "allow-write", "dry-run", "journal", "freeze"]) {
      if (values[option] !== undefined)
        throw usage(`--${option} does not apply to pvm status`, "pvm status JOURNAL [--pid N] [--json]: it only reads");
    }
    const target = values.pid === undefined && values.name === undefined && values.spawned === undefined && values.core === undefined && values.snapshot === undefined ? undefined : existingTargetOf(values, "pvm status reads the processes the journal names");
    return { kind: "status", journal: file, target, json, policy };
  }
  if (command === "snapshot") {
    if (file !== undefined)
      throw usage(`unexpected argument '${file}'`, "pvm snapshot --pid N -o FILE");
    if (values.output === undefined || values.output === "")
      throw usage("pvm snapshot needs an output file: -o FILE", "pvm snapshot --pid N -o app.core");
    for (const option of ["arg", "allow-write", "dry-run", "journal", "verbose"]) {
      if (values[option] !== undefined)
        throw usage(`--${option} does not apply to pvm snapshot`, "pvm snapshot --pid N -o FILE [--only REGION]... [--freeze]");
    }
    return { kind: "snapshot", target: liveTargetOf(values, "a snapshot is taken of a running process"), output: values.output, only: values.only ?? [], freeze: values.freeze ?? false, json, policy };
  }
  if (command === "repl") {
    if (file !== undefined)
      throw usage(`unexpected argument '${file}'`, "pvm repl takes a target: --pid N, --name NAME, --core FILE");
    for (const option of ["arg", "report"]) {
      if (values[option] !== undefined)
        throw usage(`--${option} does not apply to pvm repl`, option === "arg" ? "declare names with let" : "pvm run RECIPE --report FILE");
    }
    return { kind: "repl", target: offlineChecked(targetOf(values), values), allowWrite, json, writing, policy };
  }
  if (command === "maps") {
    if (file !== undefined)
      throw usage(`unexpected argument '${file}'`, "pvm maps takes a target: --pid N or --name NAME");
    return { kind: "maps", target: targetOf(values), json, policy };
  }
  if (file === undefined)
    throw usage(`pvm ${command} needs a recipe file`, `pvm ${command} RECIPE.pvm`);
  const recipe = { kind: "file", path: file };
  if (command === "run")
    return { kind: "run", recipe, target: offlineChecked(targetOf(values), values), args: values.arg ?? [], allowWrite, json, verbose, writing, report: reportOf(values), policy };
  if (values["allow-write"] !== undefined)
    throw usage(`--allow-write applies only to pvm run and -e`, `pvm ${command} does not run the recipe`);
  for (const option of ["verbose", "dry-run", "freeze", "journal"]) {
    if (values[option] !== undefined)
      throw usage(`--${option} applies only to pvm run and -e`, `pvm ${command} does not run the recipe`);
  }
  if (values.pid !== undefined || values.name !== undefined || values.core !== undefined || values.snapshot !== undefined || values.spawned !== undefined) {
    throw usage(`pvm ${command} needs no target`, `pvm ${command} works on the recipe alone; use pvm run to read a process`);
  }
  if (values.arg !== undefined)
    throw usage(`--arg applies only to pvm run and -e`, `pvm ${command} does not run the recipe`);
  if (command === "check")
    return { kind: "check", recipe, json, policy: policy.file };
  if (values.policy !== undefined)
    throw usage("--policy applies to pvm check, run, -e, maps, snapshot and revert", `pvm check ${file} --policy FILE`);
  return { kind: "plan", recipe, json };
}
function targetOf(values) {
  const given = ["pid", "name", "core", "snapshot"].filter((option) => values[option] !== undefined);
  if (values.spawned !== undefined) {
    if (given.length > 0)
      throw usage(`give one target: --${given[0]} or a program after --, not both`, "pvm run RECIPE -- ./server, or pvm run RECIPE --pid N");
    if (values.spawned.length === 0)
      throw usage("nothing to run after --", "pvm run RECIPE -- ./server --port 8080");
    const then = values.then ?? "wait";
    if (then !== "wait" && then !== "leave" && then !== "kill")
      throw usage(`--then ${then}: not wait, leave or kill`, "wait (the default) waits for the program to exit; leave leaves it running; kill ends it");
    return { kind: "spawn", command: values.spawned, ready: parseReadiness2(values.ready ?? "loaded"), then };
  }
  for (const option of ["ready", "then"]) {
    if (values[option] !== undefined)
      throw usage(`--${option} applies to a program pvm starts (-- COMMAND ARGS...)`, "pvm run RECIPE --ready module:libssl.so.3 -- ./server");
  }
  if (given.length > 1)
    throw usage(`give one target, not ${given.map((option) => `--${option}`).join(" and ")}`, "name one target");
  if (values.pid !== undefined) {
    if (!/^[1-9][0-9]{0,9}$/.test(values.pid))
      throw usage(`--pid ${values.pid}: not a process id`, "pass a positive integer, e.g. --pid 4242");
    return { kind: "pid", pid: Number(values.pid) };
  }
  if (values.name !== undefined)
    return { kind: "name", name: values.name };
  for (const option of ["core", "snapshot"]) {
    const path = values[option];
    if (path === "")
      throw usage(`--${option} needs a file name`, `--${option} app.core`);
    if (path !== undefined)
      return { kind: "core", path, snapshot: option === "snapshot" };
  }
  throw usage("no target given", "name the target with --pid N or --name PROCESS_NAME (or --core FILE, --snapshot FILE, or -- COMMAND to start one)");
}
function liveTargetOf(values, why) {
  const target = targetOf(values);
  if (target.kind === "core")
    throw usage(`--${target.snapshot ? "snapshot" : "core"} names a file, and ${why}`, "name the process with --pid N or --name PROCESS_NAME");
  return target;
}
function existingTargetOf(values, why) {
  const target = liveTargetOf(values, why);
  if (target.kind === "spawn")
    throw usage(`a program started by pvm is a new process, and ${why}`, "name the process with --pid N or --name PROCESS_NAME");
  return target;
}
function policyOf(values) {
  if (values.policy === "")
    throw usage("--policy needs a file name", "pvm run RECIPE --pid N --policy policy.json");
  if (values.audit === "")
    throw usage("--audit needs a file name", "pvm run RECIPE --pid N --audit audit.jsonl");
  return { file: values.policy, audit: values.audit };
}
function offlineChecked(target, values) {
  if (target.kind !== "core")
    return target;
  for (const option of ["freeze", "journal"]) {
    if (values[option] !== undefined)
      throw usage(`--${option} applies to a live process, not to a core file`, "a core is read only: nothing runs in it, nothing is written to it");
  }
  return target;
}
function reportOf(values) {
  if (values.report === "")
    throw usage("--report needs a file name", "pvm run RECIPE --pid N --report run.json");
  return values.report;
}
function usage(message, hint) {
  return new UsageError("usage", message, { hint });
}
function usageFromParseArgs(error, argv) {
  const code = error.code;
  const text = String(error.message);
  const option = (/'(-[^'\s,]*)/.exec(text)?.[1] ?? argv.find((a) => a.startsWith("-")) ?? "").replace(/,$/, "");
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return usage(`unknown option '${option}'`, "run `pvm --help` for the options");
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return usage(`option '${option}' needs a value`, "run `pvm --help` for the options");
  return usage(`cannot parse the command line: ${text}`, "run `pvm --help` for the options");
}

// src/cli/main.ts
var out = (text) => writeStdout(`${text}
`);
async function main(argv) {
  let json = argv.includes("--json");
  try {
    const command = parseCommandLine(argv);
    json = "json" in command && command.json;
    return await dispatch(command) ?? Exit.ok;
  } catch (error) {
    if (!(error instanceof PvmError))
      throw error;
    if (json)
      out(formatErrorJson2(error));
    process.stderr.write(`${formatError2(error)}
`);
    return error.exit;
  }
}
async function dispatch(command) {
  switch (command.kind) {
    case "help":
      out(USAGE);
      return;
    case "version":
      out(`pvm ${VERSION}`);
      return;
    case "check": {
      const { compileRecipe } = await import("./compile-recipe-a4tvf2t9.js");
      const plan = await compileRecipe(readRecipe(command.recipe));
      const access = plan.writes ? "writes memory: run it with --allow-write, or --dry-run to see what it would write" : "reads memory only";
      const params = plan.params.map((p) => `${p.name}: ${p.type.name}`).join(", ");
      if (command.json)
        out(JSON.stringify({ type: "check", ok: true, recipe: plan.recipe.name, writes: plan.writes, params: plan.params.map((p) => ({ name: p.name, type: p.type.name, required: p.default === undefined })) }));
      else
        out(`${plan.recipe.name}: ok (${access}${params === "" ? "" : `; params ${params}`})`);
      const policies = await policiesFor(command.policy);
      if (policies.length > 0) {
        const { checkPlanStatically, formatStaticDecision } = await import("./static-y295qs38.js");
        const decisions = checkPlanStatically(plan, policies, false);
        for (const d of decisions) {
          if (command.json)
            out(JSON.stringify({ type: "policy", verdict: d.verdict, what: d.what, line: d.loc.line, col: d.loc.col, rule: d.rule ?? null, why: d.why }));
          else
            out(formatStaticDecision(plan.recipe.name, d));
        }
        if (!command.json && decisions.length === 0)
          out(`${plan.recipe.name}: the policy has nothing to say of this recipe's statements (reads of addresses known at run time are checked then)`);
        const denied = decisions.filter((d) => d.verdict === "denied").length;
        if (denied > 0)
          throw new DeniedError("policy-denied", `the policy denies ${count(denied, "statement")} of ${plan.recipe.name}`, { hint: "pvm run refuses this recipe before opening the target" });
      }
      return;
    }
    case "plan": {
      const { compileRecipe } = await import("./compile-recipe-a4tvf2t9.js");
      const plan = await compileRecipe(readRecipe(command.recipe));
      if (command.json)
        out(JSON.stringify(plan));
      else
        out((await import("./print-dnvjdbrf.js")).printPlan(plan));
      return;
    }
    case "maps": {
      const session = await openSession(command.target, await policiesFor(command.policy.file), command.policy.audit, command.json);
      try {
        const { formatRegions } = await import("./maps-format-f3dfpp0g.js");
        out(formatRegions(session.target.regions(), command.json));
      } finally {
        session.close();
        await session.afterwards();
      }
      return;
    }
    case "run": {
      const { HELPER_VARIABLE, prepareRun, runPrepared } = await import("./run-command-66993v1g.js");
      const prepared = await prepareRun(command, readRecipe(command.recipe));
      try {
        if (process.env[HELPER_VARIABLE] === "1")
          return await (await import("./run-many-0yxksajm.js")).serveAsHelper(prepared);
        await runPrepared(prepared, command.target, { out, err: (text) => process.stderr.write(`${text}
`), progress: process.stderr.isTTY });
      } finally {
        prepared.close();
      }
      return;
    }
    case "snapshot": {
      const { takeSnapshot } = await import("./capture-14670vas.js");
      const { formatSnapshot } = await import("./snapshot-format-506sq6c0.js");
      const policies = await policiesFor(command.policy.file);
      const session = await openSession(command.target, policies, command.policy.audit, command.json);
      try {
        const live = session.target.writable;
        const progress = !command.json && process.stderr.isTTY ? progressLine(process.stderr, Date.now, `snapshot of ${describeTarget(live.identity)}`) : undefined;
        const summary = takeSnapshot(live, session.live, command.output, {
          only: command.only,
          freeze: command.freeze,
          progress: progress && ((done, total) => progress.update({ line: 0, bytesScanned: done, bytesTotal: total, hits: 0 }))
        });
        progress?.end();
        out(formatSnapshot(summary, live.identity, command.json));
      } finally {
        session.close();
        await session.afterwards();
      }
      return;
    }
    case "run-many": {
      const { prepareRun } = await import("./run-command-66993v1g.js");
      const { runMany } = await import("./run-many-0yxksajm.js");
      const prepared = await prepareRun(command.run, readRecipe(command.run.recipe));
      try {
        return await runMany(command, prepared, out);
      } finally {
        prepared.close();
      }
    }
    case "repl":
      return (await import("./repl-gp94kzcc.js")).repl(command, out);
    case "status": {
      const { readJournalWarning } = await import("./journal-file-dy6jeews.js");
      const { statusCommand } = await import("./journal-commands-zwjt9y4y.js");
      const entries = readJournalWarning(command.journal);
      return statusCommand(command.journal, entries, command.target, await policiesFor(command.policy.file), command.policy.audit, command.json, out);
    }
    case "revert": {
      const { readJournalWarning } = await import("./journal-file-dy6jeews.js");
      const { revertJournal } = await import("./revert-cmxsn9z1.js");
      const { formatRevert } = await import("./format-n6q1saj2.js");
      const entries = readJournalWarning(command.journal);
      const policies = await policiesFor(command.policy.file);
      if (policies.length > 0 && !command.writing.dryRun) {
        const { decideWriting, describeRule } = await import("./decide-48t3t3w8.js");
        const writing = decideWriting(policies);
        if (!writing.allowed)
          throw new DeniedError("policy-denied", `denied: pvm revert writes, and ${writing.why} — ${describeRule(writing.rule)}`, { hint: "ask for the policy to allow writing, or revert by hand" });
      }
      if (command.target === undefined) {
        const { revertEverywhere } = await import("./journal-commands-zwjt9y4y.js");
        return revertEverywhere(command.journal, entries, command.writing, policies, command.policy.audit, command.json, out);
      }
      const session = await openSession(command.target, policies, command.policy.audit);
      try {
        const outcome = revertJournal(entries, { target: session.target.writable, journal: command.journal, ...command.writing });
        out(formatRevert(outcome, command.json));
        (await import("./journal-commands-zwjt9y4y.js")).throwIfIncomplete(outcome.sites);
      } finally {
        session.close();
        await session.afterwards();
      }
      return;
    }
  }
}
async function policiesFor(file) {
  return (await import("./system-04nwv51y.js")).loadPolicies(file);
}
function readRecipe(spec) {
  if (spec.kind === "inline")
    return { name: "<-e>", text: spec.text };
  if (spec.path === "-")
    return { name: "<stdin>", text: readStandardInput() };
  let stat;
  try {
    stat = statSync(spec.path);
  } catch (error) {
    const reason = error.code === "ENOENT" ? "no such file" : error.message;
    throw new UsageError("recipe-unreadable", `cannot read recipe '${spec.path}': ${reason}`, { hint: "check the path of the .pvm file" });
  }
  if (!stat.isFile())
    throw new UsageError("recipe-unreadable", `cannot read recipe '${spec.path}': not a regular file`, { hint: "a recipe is a .pvm file" });
  if (stat.size > MAX_RECIPE_BYTES)
    throw new UsageError("recipe-too-large", `recipe '${spec.path}' is ${stat.size} bytes, more than ${MAX_RECIPE_BYTES}`, { hint: "recipes are small; split it, or generate less" });
  try {
    return { name: spec.path, text: readFileSync(spec.path, "utf8") };
  } catch (error) {
    throw new UsageError("recipe-unreadable", `cannot read recipe '${spec.path}': ${error.message}`, { hint: "check the path of the .pvm file" });
  }
}
function readStandardInput() {
  const chunks = [];
  let total = 0;
  for (;; ) {
    const chunk = new Uint8Array(65536);
    let n;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = error.code;
      if (code === "EAGAIN") {
        sleepSync(5);
        continue;
      }
      if (code === "EOF")
        break;
      throw new UsageError("recipe-unreadable", `cannot read the recipe from standard input: ${error.message}`, { hint: "pipe a recipe in: pvm run - --pid N < recipe.pvm" });
    }
    if (n <= 0)
      break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > MAX_RECIPE_BYTES)
      throw new UsageError("recipe-too-large", `the recipe on standard input is more than ${MAX_RECIPE_BYTES} bytes`, { hint: "recipes are small; split it, or generate less" });
  }
  return Buffer.concat(chunks).toString("utf8");
}
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE")
    process.exit(process.exitCode ?? 0);
  throw error;
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error) => {
  process.stderr.write(`pvm: internal error (a bug in pvm, please report it): ${error?.stack ?? String(error)}
`);
  process.exitCode = 70;
});
