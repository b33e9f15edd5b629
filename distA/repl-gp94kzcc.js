import {
  scanBrackets,
  BUILTINS,
  describeType,
  TYPE_NAMES,
  FAST_KEYWORDS,
  compileInput2
} from "./main-mds4t5ch.js";
import {
  PvmError,
  UsageError,
  RecipeError,
  DeniedError,
  describeTarget,
  count,
  policyLimits2,
  ElfFiles,
  openSession,
  debugDirectories,
  humanValue,
  formatEvent2,
  formatError2,
  formatErrorJson2
} from "./main-96f73920.js";
import"./main-5ghqgfn3.js";
import"./main-zffz883y.js";
import {
  loadPolicies2
} from "./main-z3rdad8p.js";
import"./main-bfat7e64.js";
import {
  execute2,
  writeRefusal2
} from "./main-a5e845s4.js";
import"./main-382xrxkr.js";
import"./main-zh9kgs33.js";
import {
  mostSerious2
} from "./main-wdycb10q.js";
import {
  judgePlan2,
  journalFor2,
  recordWrites2
} from "./main-dxdz2fvn.js";
import"./main-macb8xf4.js";
import"./main-w0nhtcw6.js";
import"./main-7cnv84d3.js";

// src/cli/repl.ts
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
var COMMANDS = [".help", ".plan", ".names", ".exit"];
var HISTORY_LINES = 1000;
var HELP = `Statements run as they are entered; a block runs once its braces close.
Names declared with let stay for the next statements (let may declare one anew).
  .plan STATEMENT   what the statement would do, without running it
  .names            the names kept so far, with their kinds and values
  .help             this text
  .exit             leave (or Ctrl-D)
Tab completes names, builtins, types and keywords. The language: docs/language.md.`;
async function repl(command, out) {
  const policies = await loadPolicies2(command.policy.file);
  const { dryRun, freeze } = command.writing;
  const journal = await journalFor2(command.writing);
  const elfFiles = command.target.kind === "core" ? undefined : new ElfFiles;
  const session = await openSession(command.target, policies, command.policy.audit, command.json, elfFiles).catch((error) => {
    journal?.close();
    throw error;
  });
  const interactive = process.stdin.isTTY === true;
  const types = new Map;
  const values = new Map;
  const exits = [];
  let inputs = 0;
  const compile = async (text) => {
    const compiled = await compileInput2({ name: `<repl:${++inputs}>`, text }, types);
    const param = compiled.plan.params[0];
    if (param !== undefined) {
      throw new RecipeError("param-in-repl", `'param ${param.name}' declares an input of a recipe file; the REPL has no --arg`, { hint: `declare it with let: let ${param.name} = …` });
    }
    return compiled;
  };
  const run = async (text) => {
    const { plan, declared } = await compile(text);
    await judgePlan2(plan, policies, command, (plan) => new DeniedError("write-not-allowed", `${writeRefusal2(plan).message}: this REPL was started without --allow-write`, {
      hint: "leave it and start pvm repl with --allow-write (or --dry-run to see what writes would do)"
    }));
    execute2({
      plan,
      target: session.target,
      params: values,
      limits: policyLimits2(policies),
      allowWrite: command.allowWrite,
      dryRun,
      freeze,
      journal: recordWrites2(journal, session.audit),
      debugDirectories: debugDirectories(),
      elfFiles,
      output: (event) => {
        const text = formatEvent2(event, command.json);
        if (text !== undefined)
          out(text);
      },
      finished: (names, ran) => {
        for (const [name, value] of names) {
          values.set(name, value);
          const type = declared.get(name);
          if (type !== undefined && ran.has(name))
            types.set(name, type);
        }
      }
    });
  };
  const meta = async (text) => {
    const word = text.trim().split(/\s+/)[0] ?? "";
    const argument = text.trim().slice(word.length).trim();
    switch (word) {
      case ".help":
        out(HELP);
        return true;
      case ".exit":
      case ".quit":
        return false;
      case ".names":
        if (command.json)
          out(JSON.stringify({ type: "names", names: [...types].map(([name, type]) => ({ name, kind: type, value: values.has(name) ? humanValue(values.get(name)) : null })) }));
        else
          out(types.size === 0 ? "no names yet: declare one with let" : [...types].map(([name, type]) => `${name}: ${describeType(type)} = ${values.has(name) ? humanValue(values.get(name)) : "?"}`).join(`
`));
        return true;
      case ".plan": {
        if (argument === "")
          throw new UsageError("usage", ".plan needs a statement", { hint: ".plan let x = read u32 at 0x1000" });
        const { plan } = await compile(argument);
        out(command.json ? JSON.stringify(plan) : (await import("./print-dnvjdbrf.js")).printPlan(plan));
        return true;
      }
      default:
        throw new UsageError("usage", `unknown command '${word}'`, { hint: `the commands are ${COMMANDS.join(", ")}` });
    }
  };
  const history = interactive ? historyFile() : undefined;
  const rl = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    history: history === undefined ? [] : loadHistory(history),
    historySize: HISTORY_LINES,
    completer: (line) => complete(line, types)
  });
  const prompt = (pending) => {
    if (!interactive)
      return;
    rl.setPrompt(pending ? "...> " : "pvm> ");
    rl.prompt();
  };
  let pending = "";
  rl.on("SIGINT", () => {
    if (pending === "")
      process.stdout.write(`
(to leave: Ctrl-D or .exit)
`);
    else
      process.stdout.write(`
`);
    pending = "";
    prompt(false);
  });
  const whileRunning = async (text) => {
    const tty = interactive ? process.stdin : undefined;
    tty?.setRawMode?.(false);
    try {
      await run(text);
    } finally {
      tty?.setRawMode?.(true);
    }
  };
  if (interactive)
    out(`pvm repl: ${describeTarget(session.target.identity)}. .help for help, Ctrl-D to leave.`);
  prompt(false);
  try {
    for await (const line of rl) {
      if (history !== undefined && line.trim() !== "")
        attemptAppend(history, line);
      pending = pending === "" ? line : `${pending}
${line}`;
      if (scanBrackets(pending).depth > 0) {
        prompt(true);
        continue;
      }
      const text = pending;
      pending = "";
      if (text.trim() === "") {
        prompt(false);
        continue;
      }
      try {
        if (text.trimStart().startsWith(".")) {
          if (!await meta(text))
            break;
        } else
          await whileRunning(text);
      } catch (error) {
        if (!(error instanceof PvmError))
          throw error;
        exits.push(error.exit);
        if (command.json)
          out(formatErrorJson2(error));
        process.stderr.write(`${formatError2(error)}
`);
      }
      prompt(false);
    }
    if (pending.trim() !== "") {
      exits.push(2);
      process.stderr.write(`pvm: error: the input ended inside a block (${count(scanBrackets(pending).depth, "bracket")} still open); it did not run
`);
    }
  } finally {
    rl.close();
    session.close();
    await session.afterwards();
    journal?.close();
    elfFiles?.close();
  }
  if (interactive)
    out("");
  return interactive ? 0 : mostSerious2(exits);
}
function complete(line, types) {
  const word = /\.?[A-Za-z_][A-Za-z0-9_]*$/.exec(line)?.[0] ?? "";
  const candidates = word.startsWith(".") ? COMMANDS : [...types.keys(), ...BUILTINS.keys(), ...TYPE_NAMES, ...FAST_KEYWORDS];
  const hits = [...new Set(candidates.filter((candidate) => candidate.startsWith(word)))].sort();
  return [hits, word];
}
function historyFile() {
  const state = process.env.XDG_STATE_HOME || join(process.env.HOME || homedir(), ".local", "state");
  return join(state, "pvm", "history");
}
function loadHistory(path) {
  try {
    return readFileSync(path, "utf8").split(`
`).filter((line) => line !== "").slice(-HISTORY_LINES).reverse();
  } catch {
    return [];
  }
}
function attemptAppend(path, line) {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 448 });
    appendFileSync(path, `${line}
`, { mode: 384 });
  } catch {}
}
export {
  repl
};
