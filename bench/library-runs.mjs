// The library's side of the bench: one recipe run again and again through
// `open(...).run(...)` in one process, as an orchestrator runs it, on
// whichever runtime runs this file (the package's entry, dist/api/).
//   library-runs.mjs PID RECIPE RUNS
// Prints {"ns": median ns a run, "first": ns of the first run, "check": its results}.
const { open } = await import(new URL('../dist/api/index.js', import.meta.url).href);

const [pidText, recipe, runsText] = process.argv.slice(2);
const target = await open({ pid: Number(pidText) });
const times = [];
let check;
for (let i = 0; i < Number(runsText); i++) {
  const start = process.hrtime.bigint();
  const { results } = await target.run(recipe);
  times.push(Number(process.hrtime.bigint() - start));
  check ??= JSON.stringify(results);
}
target.close();
const first = times[0];
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ns: times[Math.floor(times.length / 2)], first, check }));
