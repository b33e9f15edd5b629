import {
  Exit,
  PvmError,
  openSession,
  debugDirectories,
  toHex,
  formatEvent2,
  formatScanSummary2,
  progressLine
} from "./main-96f73920.js";

// src/cli/run-command.ts
var HELPER_VARIABLE2 = "PVM_INTERNAL_RUN_MANY_HELPER";
async function prepareRun2(command, source) {
  const { compileRecipe } = await import("./compile-recipe-a4tvf2t9.js");
  const { bindParams, parseArgPairs } = await import("./params-2n0yxkrm.js");
  const plan = await compileRecipe(source);
  const params = bindParams(plan, parseArgPairs(command.args));
  const policies = await (await import("./system-04nwv51y.js")).loadPolicies(command.policy.file);
  await judgePlan2(plan, policies, command);
  const journal = await journalFor2(command.writing);
  return { command, plan, params, policies, journal, close: () => journal?.close() };
}
async function judgePlan2(plan, policies, run, notAllowed) {
  const { readOnlyRefusal, writeRefusal } = await import("./execute-sr43prhy.js");
  (await import("./apply-d3rmsqkt.js")).refusePlan(plan, policies, run.writing.freeze);
  if (plan.writes && run.target.kind === "core")
    throw readOnlyRefusal(plan, run.target.path);
  if (plan.writes && !run.allowWrite && !run.writing.dryRun)
    throw (notAllowed ?? writeRefusal)(plan);
}
async function journalFor2(writing) {
  return writing.journal === undefined || writing.dryRun ? undefined : (await import("./journal-file-dy6jeews.js")).openJournal(writing.journal);
}
async function runPrepared2(prepared, targetSpec, sinks) {
  const { command, plan, params, policies, journal } = prepared;
  const { execute } = await import("./execute-sr43prhy.js");
  const { policyLimits } = await import("./apply-d3rmsqkt.js");
  const session = await openSession(targetSpec, policies, command.policy.audit, command.json, sinks.elfFiles);
  const target = session.target;
  const report = command.report === undefined ? undefined : (await import("./report-k2x235mv.js")).recordReport(command.report, plan, params, target, targetSpec.kind === "core" ? targetSpec.path : undefined, policies);
  try {
    const progress = sinks.progress && !command.json ? progressLine(process.stderr) : undefined;
    execute({
      plan,
      target,
      params,
      limits: policyLimits(policies),
      allowWrite: command.allowWrite,
      dryRun: command.writing.dryRun,
      freeze: command.writing.freeze,
      journal: recordWrites2(journal, session.audit, report),
      onRead: report?.read,
      progress: progress?.update,
      debugDirectories: debugDirectories(),
      elfFiles: sinks.elfFiles,
      output: (event) => {
        report?.event(event);
        if (event.type === "scan") {
          progress?.end();
          if (command.verbose && !command.json)
            sinks.err(formatScanSummary2(event));
        }
        if (event.type === "patch" && event.outcome.frozen !== undefined && command.verbose && !command.json) {
          const { threads, micros, tries } = event.outcome.frozen;
          sinks.err(`patch at line ${event.line}: ${threads} thread(s) stopped for ${micros} µs${tries > 1 ? ` (after ${tries} tries: a thread was inside the site)` : ""}`);
        }
        const text = formatEvent2(event, command.json);
        if (text !== undefined)
          sinks.out(text);
      }
    });
    report?.finish(undefined, Exit.ok);
  } catch (error) {
    if (error instanceof PvmError)
      report?.finish(error, error.exit);
    throw error;
  } finally {
    session.close();
    await session.afterwards();
  }
}
function recordWrites2(journal, audit, report) {
  if (journal === undefined && audit === undefined && report === undefined)
    return;
  return (entries) => {
    journal?.append(entries);
    for (const entry of entries) {
      report?.write(entry);
      audit?.append({
        op: entry.statement === "patch" ? "write-code" : "write",
        allowed: true,
        start: entry.address,
        end: entry.address + BigInt(entry.new.length),
        bytes: entry.new.length,
        detail: `${entry.statement} at line ${entry.line}: ${toHex(entry.old)} -> ${toHex(entry.new)}`
      });
    }
  };
}

export { HELPER_VARIABLE2, prepareRun2, judgePlan2, journalFor2, runPrepared2, recordWrites2 };
