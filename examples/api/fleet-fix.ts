// An orchestrator: patch every running process of one build of a program,
// unless it holds the patch already, journaled so that `pvm revert` can undo
// it; then say where the journal's patches hold. docs/api.md walks through it.
//
//   fleet-fix.ts BUILD_ID RECIPE JOURNAL
//
// Run it with `bun fleet-fix.ts …`, `deno run -A fleet-fix.ts …`, or compile
// it with tsc for Node. Exit status: the most serious of the processes'.
import { type ExitCode, mostSerious, open, PvmError, status } from 'pvm';

const [buildId, recipe, journal] = process.argv.slice(2);
if (buildId === undefined || recipe === undefined || journal === undefined) {
  console.error('usage: fleet-fix BUILD_ID RECIPE JOURNAL');
  process.exit(2);
}

try {
  process.exitCode = await fix(buildId, recipe, journal);
} catch (error) {
  if (!(error instanceof PvmError)) throw error;
  console.error(`fleet-fix: ${error.message}`); // refused before any process was touched, or none matched
  process.exitCode = error.exit;
}

async function fix(buildId: string, recipe: string, journal: string): Promise<ExitCode> {
  // 1. Which processes need the patch: a dry run verifies every site, in
  //    every process of that build, and writes nothing.
  const fleet = await open({ match: `build-id=${buildId}` });
  const dry = await fleet.run({ file: recipe }, { dryRun: true }).finally(() => fleet.close());
  const needing = new Set<number>();
  for (const event of dry.events) {
    if (event.type === 'patch' && event.status === 'would apply') needing.add(event.pid!);
    if (event.type === 'error') console.log(`pid ${event.pid}: not patched: ${event.message}`);
  }
  for (const { pid, exit } of dry.processes!) if (exit === 0 && !needing.has(pid)) console.log(`pid ${pid}: already patched`);

  // 2. Patch those, each journaled before it is written.
  const exits: ExitCode[] = dry.processes!.map((p) => p.exit);
  for (const pid of needing) {
    const target = await open({ pid });
    try {
      const { events } = await target.run({ file: recipe }, { allowWrite: true, journal });
      for (const event of events) if (event.type === 'patch') console.log(`pid ${pid}: ${event.status} (${event.sites.length} site(s))`);
    } catch (error) {
      if (!(error instanceof PvmError)) throw error;
      console.log(`pid ${pid}: not patched: ${error.message}`);
      exits.push(error.exit);
    } finally {
      target.close();
    }
  }

  // 3. Where the journal's patches hold now.
  if (needing.size > 0) {
    const now = await status(journal);
    for (const event of now.events) {
      if (event.type === 'patch') console.log(`status: pid ${event.pid}: patch "${event.patch}" ${event.state}`);
      if (event.type === 'error') console.log(`status: pid ${event.pid}: ${event.message}`);
    }
    exits.push(now.exit);
  }
  return mostSerious(exits);
}
