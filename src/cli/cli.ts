#!/usr/bin/env node
// pvm's command line (main.ts starts it). The only place that prints or sets the exit status.
import { readSync } from 'node:fs';
import { recipeFile } from '../api/recipe-source.ts';
import { MAX_RECIPE_BYTES } from '../limits.ts';
import type { SourceFile } from '../dsl/source.ts';
import type { Plan } from '../plan/plan.ts';
import { planJson } from '../plan/json.ts';
import { Exit, type ExitCode, PvmError, UsageError } from '../errors.ts';
import { describeTarget } from '../target/target.ts';
import { isHelper } from './helper-variable.ts';
import { openSession } from '../api/session.ts';
import { writeStdout } from './stdout.ts';
import { type Command, parseCommandLine, type RecipeSpec, type TargetSpec } from './args.ts';
import { usageText } from './options.ts';
import { formatError, formatErrorJson } from './format.ts';
import { progressLine } from './progress.ts';
import { VERSION } from '../version.ts';
import { sleepSync } from '../sleep.ts';

const out = (text: string) => writeStdout(`${text}\n`);

async function main(argv: readonly string[]): Promise<ExitCode> {
  let json = argv.includes('--json');
  try {
    const command = parseCommandLine(argv);
    json = 'json' in command && command.json;
    return (await dispatch(command)) ?? Exit.ok;
  } catch (error) {
    if (!(error instanceof PvmError)) throw error;
    if (json) out(formatErrorJson(error));
    process.stderr.write(`${formatError(error)}\n`);
    return error.exit;
  }
}

/**
 * `pvm check` and `pvm plan`: the recipe compiled with the types it declares; a target is opened (as `pvm maps`
 * opens it, under the policy) only when the recipe names types from debug info, to read them.
 */
async function compileWithTypes(source: SourceFile, target: TargetSpec | undefined, policy: string | undefined): Promise<Plan> {
  const { compileBeforeTarget, compileRecipe } = await import('../dsl/compile-recipe.ts');
  if (target === undefined) return (await compileRecipe(source)).plan;
  const plan = await compileBeforeTarget(source);
  if (plan !== undefined) return plan;
  const session = await openSession(target, await policiesFor(policy), undefined, { quietStdout: true });
  try {
    return (await compileRecipe(source, { types: await session.types() })).plan;
  } finally {
    session.close();
    await session.afterwards();
  }
}

/** Runs a command; a command over many processes returns the most serious of their exit statuses. */
async function dispatch(command: Command): Promise<ExitCode | void> {
  switch (command.kind) {
    case 'help':
      out(usageText());
      return;
    case 'version':
      out(`pvm ${VERSION}`);
      return;
    case 'check': {
      const source = readRecipe(command.recipe);
      const plan = await compileWithTypes(source, command.target, command.policy);
      const access = plan.writes ? 'writes memory: run it with --allow-write, or --dry-run to see what it would write' : 'reads memory only';
      const params = plan.params.map((p) => `${p.name}: ${p.type.name}`).join(', ');
      const policies = await policiesFor(command.policy);
      const judge = policies.length > 0 ? await import('../policy/static.ts') : undefined;
      const decisions = judge?.checkPlanStatically(plan, policies, false) ?? [];
      // Whether the recipe's signature holds, where a policy lists signers (recipes.signers).
      const signing = policies.some((p) => p.policy.recipes !== undefined) ? await import('../policy/recipe-signature.ts') : undefined;
      const signature = signing?.judgeRecipeSignature(policies, { name: source.name, bytes: source.bytes });
      const unsigned = signature !== undefined && 'refusal' in signature ? signature : undefined;
      // "ok" only when nothing below refuses it: a recipe the policy denies is valid, not ok.
      const verdict = unsigned !== undefined || decisions.some((d) => d.verdict === 'denied') ? 'valid, but the policy denies it' : 'ok';
      if (command.json) out(JSON.stringify({ type: 'check', ok: true, recipe: plan.recipe.name, writes: plan.writes, params: plan.params.map((p) => ({ name: p.name, type: p.type.name, required: p.default === undefined })) }));
      else out(`${plan.recipe.name}: ${verdict} (${access}${params === '' ? '' : `; params ${params}`})`);
      if (signature !== undefined) out(signing!.formatSignatureVerdict(plan.recipe.name, signature, command.json));
      if (judge !== undefined) {
        for (const d of decisions) {
          if (command.json) out(JSON.stringify({ type: 'policy', verdict: d.verdict, what: d.what, line: d.loc.line, col: d.loc.col, rule: d.rule ?? null, why: d.why }));
          else out(judge.formatStaticDecision(plan.recipe.name, d));
        }
        if (!command.json && decisions.length === 0) out(`${plan.recipe.name}: the policy has nothing to say of this recipe's statements (reads of addresses known at run time are checked then)`);
        if (unsigned !== undefined) throw unsigned.refusal;
        (await import('../policy/refusals.ts')).refuseChecked(plan, decisions);
      }
      return;
    }
    case 'verify':
      return (await import('./verify-command.ts')).verifyReport(command, out);
    case 'plan': {
      const plan = await compileWithTypes(readRecipe(command.recipe), command.target, undefined);
      // Written a buffer at a time, not made into one string first: 500 000 steps are 500 000 lines (and
      // ~50 MB of JSON), which doubled what pvm plan held at its peak.
      const buffered = bufferedStdout();
      if (command.json) writePlanJson(plan, buffered.write);
      else (await import('../plan/print.ts')).printPlanLines(plan, { push: (line) => buffered.write(`${line}\n`) });
      buffered.flush();
      return;
    }
    case 'maps': {
      const session = await openSession(command.target, await policiesFor(command.policy.file), command.policy.audit, { quietStdout: command.json });
      try {
        const { formatRegions } = await import('./maps-format.ts');
        out(formatRegions(session.target.regions(), command.json, session.fileProblem));
      } finally {
        session.close();
        await session.afterwards();
      }
      return;
    }
    case 'run': {
      const { prepareRun, runPrepared } = await import('../api/run-recipe.ts');
      const { printedEvents } = await import('./run-output.ts');
      const helper = isHelper();
      const source = readRecipe(command.recipe);
      if (helper) (await import('./run-many.ts')).refuseChangedRecipe(source);
      const prepared = await prepareRun(command, source, { oneTarget: !helper });
      try {
        if (helper) return await (await import('./run-many.ts')).serveRunAsHelper(prepared);
        // process.stderr is a stream made on first use (a few ms on Bun and Deno; node:tty's isatty costs as much
        // to import): asked only by a run that scans.
        await runPrepared(
          prepared,
          command.target,
          printedEvents(command, {
            out,
            err: (text) => process.stderr.write(`${text}\n`),
            get progress() {
              return process.stderr.isTTY === true;
            },
          }),
        );
      } finally {
        prepared.close();
      }
      return;
    }
    case 'snapshot': {
      const { takeSnapshot } = await import('../snapshot/capture.ts');
      const { formatSnapshot } = await import('./snapshot-format.ts');
      const policies = await policiesFor(command.policy.file);
      const session = await openSession(command.target, policies, command.policy.audit, { quietStdout: command.json });
      try {
        const live = session.target.writable!;
        const progress = !command.json && process.stderr.isTTY ? progressLine(process.stderr, Date.now, `snapshot of ${describeTarget(live.identity)}`) : undefined;
        const summary = await takeSnapshot(live, session.facts!, command.output, {
          only: command.only,
          freeze: command.freeze,
          progress: progress && ((done, total) => progress.update({ line: 0, bytesScanned: done, bytesTotal: total, hits: 0 })),
        });
        progress?.end();
        out(formatSnapshot(summary, live.identity, command.json));
      } finally {
        session.close();
        await session.afterwards();
      }
      return;
    }
    case 'run-many': {
      const { prepareRun } = await import('../api/run-recipe.ts');
      const prepared = await prepareRun(command.run, readRecipe(command.run.recipe));
      try {
        if (command.follow !== undefined) return await (await import('./follow.ts')).follow(command, command.follow, prepared, out);
        return await (await import('./run-many.ts')).runMany(command, prepared, out);
      } finally {
        prepared.close();
      }
    }
    case 'types':
      return (await import('./types-command.ts')).typesCommand(command, out);
    case 'view':
      return (await import('./view-command.ts')).viewCommand(command, out);
    case 'repl':
      return (await import('./repl.ts')).repl(command, out);
    case 'lsp':
      // Loaded only here: no other command's start-up loads vscode-languageserver.
      return (await import('../lsp/server.ts')).serveLanguage();
    case 'diff':
      return (await import('./diff-command.ts')).diffCommand(command, out);
    case 'status': {
      const { statusCommand } = await import('./journal-commands.ts');
      const entries = await journalEntries(command.journal);
      const { journal, json, jobs, helperArgs } = command;
      return statusCommand({ journal, entries, policies: await policiesFor(command.policy.file), audit: command.policy.audit, json, jobs, helperArgs }, command.target, out);
    }
    case 'revert': {
      const { revertJournal } = await import('../runtime/journal/revert.ts');
      const { formatRevert } = await import('./format.ts');
      const { refuseRevertByPolicy, refuseUngrantedRevert } = await import('../policy/refusals.ts');
      refuseUngrantedRevert(command);
      const entries = await journalEntries(command.journal);
      const policies = await policiesFor(command.policy.file);
      await refuseRevertByPolicy(command, policies);
      if (command.target === undefined) {
        const { revertEverywhere } = await import('./journal-commands.ts');
        const { journal, json, jobs, helperArgs } = command;
        return revertEverywhere({ journal, entries, policies, audit: command.policy.audit, json, jobs, helperArgs }, command.writing, out);
      }
      const session = await openSession(command.target, policies, command.policy.audit);
      try {
        const outcome = revertJournal(entries, { target: session.target.writable!, journal: command.journal, ...command.writing });
        out(formatRevert(outcome, command.json));
        (await import('./journal-commands.ts')).throwIfIncomplete(outcome.sites);
      } finally {
        session.close();
        await session.afterwards();
      }
      return;
    }
  }
}

/** A journal's entries, with a warning on stderr for each line cut short (a crash while pvm wrote it), which is left out. */
async function journalEntries(path: string) {
  const { entries, incomplete } = (await import('../api/journal-read.ts')).readJournal(path);
  for (const line of incomplete) process.stderr.write(`pvm: warning: ${path} line ${line} is incomplete (cut short while pvm wrote it?): left out; the other entries are used\n`);
  return entries;
}

/** The system policy, if there is one, then --policy's. */
async function policiesFor(file: string | undefined) {
  return (await import('../policy/system.ts')).loadPolicies(file);
}

function readRecipe(spec: RecipeSpec): SourceFile {
  if (spec.kind === 'inline') return { name: '<-e>', text: spec.text };
  if (spec.path === '-') return { name: '<stdin>', text: readStandardInput() };
  return recipeFile(spec.path);
}

/** Text for stdout, written once it passes 64 KiB (and at `flush`). */
function bufferedStdout(): { write(text: string): void; flush(): void } {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length > 0) writeStdout(parts.join(''));
    [parts, size] = [[], 0];
  };
  return {
    write(text) {
      parts.push(text);
      size += text.length;
      if (size >= 64 << 10) flush();
    },
    flush,
  };
}

/** What `planJson(plan)` and a newline are, byte for byte, written a step at a time. */
function writePlanJson(plan: Plan, write: (text: string) => void): void {
  const head = planJson({ ...plan, steps: [] });
  if (!head.endsWith('"steps":[]}')) return write(`${planJson(plan)}\n`); // steps not last: no stream
  write(head.slice(0, -2));
  plan.steps.forEach((step, i) => write(`${i === 0 ? '' : ','}${planJson(step)}`));
  write(']}\n');
}

/** A recipe given as `-`: standard input to its end, bounded like a file. */
function readStandardInput(): string {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = new Uint8Array(64 * 1024);
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EAGAIN') {
        sleepSync(5); // a non-blocking pipe with nothing in it yet
        continue;
      }
      if (code === 'EOF') break;
      throw new UsageError('recipe-unreadable', `cannot read the recipe from standard input: ${(error as Error).message}`, { hint: 'pipe a recipe in: pvm run - --pid N < recipe.pvm' });
    }
    if (n <= 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > MAX_RECIPE_BYTES) throw new UsageError('recipe-too-large', `the recipe on standard input is more than ${MAX_RECIPE_BYTES} bytes`, { hint: 'recipes are small; split it, or generate less' });
  }
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pvm: internal error (a bug in pvm, please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
