// A program using pvm as a library, as a user's would: installed from the
// packed tarball, checked with tsc --strict, run on Node, Bun and Deno.
// Prints one JSON line of what it saw, which the test compares across them.
import { compile, open, PvmError, type PvmEvent, type RunResult } from 'pvm';

const pid = Number(process.argv[2]);
const counter = process.argv[3]!;

const compiled = await compile(`print read u32 at ${counter}`);
if (!compiled.ok) throw new Error(compiled.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));

const target = await open({ pid });
const events: PvmEvent[] = [];
let denied: { code: string; exit: number } | undefined;
let result: RunResult | undefined;
try {
  for await (const event of target.run(`emit counter = read u32 at ${counter}`)) events.push(event);
  result = await target.run('param n: u32\nemit doubled = n * 2', { args: { n: 21 } });
  try {
    await target.run(`write u32 at ${counter} = 7`, { allowWrite: true, policy: { write: { allow: false } } });
  } catch (error) {
    if (!(error instanceof PvmError)) throw error;
    denied = { code: error.code, exit: error.exit };
  }
} finally {
  target.close();
}
console.log(JSON.stringify({ planned: compiled.plan?.steps.length, events, results: result?.results, denied }));
