// `npm run bench`: pvm against a plain C reference on the same live target in
// the same run, on Node, Bun and Deno; prints times and ratios (pvm / C; lower
// is better). Timings stay out of `npm test`: the machines are noisy.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = `${root}test/.build`;
const BULK_MIB = Number(process.env.PVM_BENCH_MIB ?? 256);
const SCATTER = 100_000;
const RUNS = 5;

mkdirSync(build, { recursive: true });
execFileSync('cc', ['-O2', '-o', `${build}/reference`, `${root}bench/reference.c`], { stdio: 'inherit' });
execFileSync('cc', ['-O0', '-o', `${build}/target`, `${root}test/fixture/target.c`], { stdio: 'inherit' });

const target = spawn(`${build}/target`, ['--bulk-mib', String(BULK_MIB)], { stdio: ['pipe', 'pipe', 'inherit'] });
const info = await new Promise((resolve, reject) => {
  target.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk).split('\n')[0])));
  target.once('error', reject);
});
const runtimes = {
  node: [process.execPath],
  bun: [`${root}node_modules/.bin/bun`],
  deno: [`${root}node_modules/deno/deno`, 'run', '--quiet', '--allow-all'],
};
const cliOf = {
  node: [process.execPath, `${root}dist/cli/main.js`],
  bun: [`${root}node_modules/.bin/bun`, `${root}src/cli/main.ts`],
  deno: [`${root}node_modules/deno/deno`, 'run', '--quiet', '--allow-all', `${root}src/cli/main.ts`],
};

function run(argv) {
  const [command, ...args] = argv;
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(argv) {
  const results = Array.from({ length: RUNS }, () => run(argv));
  const checks = new Set(results.map((r) => r.check));
  if (checks.size !== 1) throw new Error(`${argv.join(' ')} gave different results between runs`);
  return { ns: median(results.map((r) => r.ns)), calls: results[0].calls, check: results[0].check };
}

function wall(argv) {
  const times = Array.from({ length: RUNS }, () => {
    const start = process.hrtime.bigint();
    const [command, ...args] = argv;
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
    return Number(process.hrtime.bigint() - start);
  });
  return median(times);
}

const ms = (ns) => `${(ns / 1e6).toFixed(1)} ms`;
const gbs = (bytes, ns) => `${(bytes / ns).toFixed(2)} GB/s`;
const pid = String(info.pid);
const bulkBytes = BULK_MIB << 20;
const lines = [];
const row = (...cells) => lines.push(cells.join(' | '));

try {
  console.log(`target: pid ${pid}, ${BULK_MIB} MiB resident; median of ${RUNS} runs each\n`);

  // 1. Bulk read: C into a reused buffer with 64 KiB and 1 MiB calls; pvm asked for 1 MiB at a time.
  // (Searching is the scan engine's job and is not built yet, so neither side searches.)
  const c64 = measure([`${build}/reference`, pid, 'bulk', info.bulk, String(bulkBytes), String(64 << 10)]);
  const c1m = measure([`${build}/reference`, pid, 'bulk', info.bulk, String(bulkBytes), String(1 << 20)]);
  row('bulk read', 'time', 'throughput', 'calls', 'pvm / C 64 KiB', 'pvm / C 1 MiB');
  row('C, 64 KiB calls', ms(c64.ns), gbs(bulkBytes, c64.ns), c64.calls, '', '');
  row('C, 1 MiB calls', ms(c1m.ns), gbs(bulkBytes, c1m.ns), c1m.calls, '', '');
  for (const [name, argv] of Object.entries(runtimes)) {
    const r = measure([...argv, `${root}bench/pvm-read.mjs`, pid, 'bulk', info.bulk, String(bulkBytes), String(1 << 20)]);
    if (r.check !== c64.check) throw new Error(`pvm on ${name} read different bytes than C`);
    row(`pvm on ${name}`, ms(r.ns), gbs(bulkBytes, r.ns), r.calls, (r.ns / c64.ns).toFixed(2), (r.ns / c1m.ns).toFixed(2));
  }

  // 2. 100 000 scattered 8-byte reads: batched 1024 iovecs per call on both sides.
  lines.push('');
  const cs = measure([`${build}/reference`, pid, 'scatter', info.bulk, String(bulkBytes), String(SCATTER)]);
  row(`${SCATTER} scattered 8-byte reads`, 'time', 'per read', 'calls', 'pvm / C', '');
  row('C, 1024 iovecs per call', ms(cs.ns), `${(cs.ns / SCATTER).toFixed(0)} ns`, cs.calls, '', '');
  for (const [name, argv] of Object.entries(runtimes)) {
    const r = measure([...argv, `${root}bench/pvm-read.mjs`, pid, 'scatter', info.bulk, String(bulkBytes), String(SCATTER)]);
    if (r.check !== cs.check) throw new Error(`pvm on ${name} read different values than C`);
    row(`pvm on ${name}`, ms(r.ns), `${(r.ns / SCATTER).toFixed(0)} ns`, r.calls, (r.ns / cs.ns).toFixed(2), '');
  }

  // 3. The language's own batching: walk 100 000 pointers and sum what they point to.
  //    pvm's engine time is its wall time minus that of a trivial recipe (start-up).
  lines.push('');
  const n = info.table_len;
  const chase = measure([`${build}/reference`, pid, 'chase', info.table, '0', String(n)]);
  row(`walk ${n} pointers (a recipe)`, 'engine time', 'wall time', 'result', 'pvm / C', '');
  row('C, 1024 iovecs per call', ms(chase.ns), '', chase.check, '', '');
  const walk = `let total = 0; for i in 0..${n} { total = total + read u64 at [${info.table} + i * 8] }; print total`;
  for (const [name, cli] of Object.entries(cliOf)) {
    const result = spawnSync(cli[0], [...cli.slice(1), '-e', walk, '--pid', pid], { encoding: 'utf8' });
    if (result.stdout.trim() !== chase.check) throw new Error(`pvm on ${name} summed ${result.stdout.trim()}, C ${chase.check}`);
    const full = wall([...cli, '-e', walk, '--pid', pid]);
    const trivial = wall([...cli, '-e', 'print 1', '--pid', pid]);
    row(`pvm on ${name}`, ms(full - trivial), ms(full), result.stdout.trim(), ((full - trivial) / chase.ns).toFixed(2), '');
  }

  // 4. Start-up: a whole one-line recipe, against the runtime doing nothing.
  lines.push('');
  row('one-line recipe, wall time', 'runtime alone', 'pvm -e', 'pvm check', '', '');
  const recipe = `${root}test/cli/recipes/fixture.pvm`;
  for (const [name, argv] of Object.entries(runtimes)) {
    const bare = wall([...argv, `${root}bench/empty.mjs`]);
    const once = wall([...cliOf[name], '-e', `print read u32 at ${info.counter}`, '--pid', pid]);
    const check = wall([...cliOf[name], 'check', recipe]);
    row(name, ms(bare), ms(once), ms(check), '', '');
  }
} finally {
  target.kill();
}
console.log(lines.join('\n'));
