// Golden files: each test/golden/plan/*.pvm beside its *.plan.txt (`pvm plan`),
// each test/golden/diagnostics/*.pvm beside its *.err.txt (`pvm check`'s
// stderr). `npm run golden` rewrites the expected files from the built CLI;
// review the diff, then commit. The test (test/golden.test.ts) compares them.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export function goldenCases() {
  const cases = [];
  for (const [dir, command, suffix] of [['plan', 'plan', '.plan.txt'], ['diagnostics', 'check', '.err.txt']]) {
    for (const file of readdirSync(`${root}test/golden/${dir}`).filter((f) => f.endsWith('.pvm')).sort()) {
      const recipe = `test/golden/${dir}/${file}`;
      cases.push({ recipe, command, expected: recipe.replace(/\.pvm$/, suffix) });
    }
  }
  return cases;
}

/** What the golden file holds: stdout for a plan, stderr for diagnostics (the recipe path is relative to the root). */
export function actualOutput(command, recipe) {
  const result = spawnSync(process.execPath, [`${root}dist/node/main.js`, command, recipe], { cwd: root, encoding: 'utf8' });
  return command === 'plan' ? result.stdout : result.stderr;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { recipe, command, expected } of goldenCases()) {
    writeFileSync(`${root}${expected}`, actualOutput(command, recipe));
    console.log(`wrote ${expected}`);
  }
}
