// `npm run demo`: compile the demo target, start it, read it with pvm (people
// output, then --json), find a value by scanning, hot-patch its code while it
// runs and revert the patch, snapshot it, stop it and read the snapshot, and
// show what mistakes look like.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pvm-demo-'));
const binary = join(dir, 'demo-target');
// -g: its types are in its debug info too (`pvm types demo-target 'struct player' --pid N`).
execFileSync('cc', ['-g', '-O0', '-o', binary, join(root, 'examples/demo-target.c')], { stdio: 'inherit' });

const target = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
// The target's output, a line at a time, to whoever asks first.
let text = '';
const waiting = [];
target.stdout.on('data', (chunk) => {
  text += chunk;
  for (let nl = text.indexOf('\n'); nl >= 0 && waiting.length > 0; nl = text.indexOf('\n')) {
    waiting.shift()(text.slice(0, nl));
    text = text.slice(nl + 1);
  }
});
const nextLine = () => new Promise((resolve) => waiting.push(resolve));
target.once('error', (error) => {
  throw error;
});
const { pid, world } = JSON.parse(await nextLine());
/** One tick of the server: it prints its state, which shows what a patch changed. */
const tick = async () => {
  const line = nextLine();
  target.stdin.write('\n');
  console.log(`\n(the server says) ${await line}`);
};

const pvm = (...args) => {
  console.log(`\n$ pvm ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const result = spawnSync(process.execPath, [join(root, 'dist/node/main.js'), ...args], { cwd: root, encoding: 'utf8' });
  process.stdout.write(result.stdout + result.stderr);
  console.log(`(exit status ${result.status})`);
  return result.status;
};

let failed = false;
/** A step that must end with this status, or the demo fails (it doubles as a smoke test). */
const expectStatus = (wanted, status) => {
  if (status !== wanted) {
    failed = true;
    console.log(`!! expected exit status ${wanted}`);
  }
};
try {
  const id = String(pid);
  console.log(`demo target running as pid ${pid} (it says its world is at ${world}; pvm finds it by symbol)`);
  expectStatus(0, pvm('run', 'examples/demo.pvm', '--pid', id));
  expectStatus(0, pvm('run', 'examples/demo.pvm', '--pid', id, '--json'));

  console.log('\nthe same reads by field name, the structs declared in the recipe (examples/typed-demo.pvm):');
  expectStatus(0, pvm('run', 'examples/typed-demo.pvm', '--pid', id));

  console.log('\nfinding a value by scanning, Cheat Engine style (the gold, 1337, as a u32):');
  expectStatus(0, pvm('-e', 'print scan u32 1337 in module("demo-target") perms "rw" align 4', '--pid', id));

  console.log('\nhot-patching code while the server runs (examples/fly.pvm):');
  await tick();
  expectStatus(3, pvm('run', 'examples/fly.pvm', '--pid', id));
  expectStatus(0, pvm('run', 'examples/fly.pvm', '--pid', id, '--dry-run'));
  const journal = join(dir, 'fly.journal');
  expectStatus(0, pvm('run', 'examples/fly.pvm', '--pid', id, '--allow-write', '--journal', journal));
  await tick();
  expectStatus(0, pvm('run', 'examples/fly.pvm', '--pid', id, '--allow-write'));
  expectStatus(0, pvm('revert', journal, '--pid', id, '--allow-write'));
  await tick();

  console.log('\ncapturing the server for later (a sparse ELF core gdb opens too), then reading the capture:');
  const snapshot = join(dir, 'demo.core');
  expectStatus(0, pvm('snapshot', '--pid', id, '-o', snapshot));
  target.kill();
  await new Promise((resolve) => (target.exitCode !== null || target.signalCode !== null ? resolve() : target.once('exit', resolve)));
  console.log('(the server has stopped; its snapshot remains)');
  expectStatus(0, pvm('run', 'examples/demo.pvm', '--snapshot', snapshot));
  expectStatus(3, pvm('run', 'examples/fly.pvm', '--snapshot', snapshot, '--allow-write'));

  console.log('\nand what mistakes look like:');
  pvm('-e', 'print read u32 at symbol("demo-target", "world") + 0x100000', '--snapshot', snapshot);
  pvm('-e', 'print read u32 at symbol("demo-target", "wrold")', '--snapshot', snapshot);
  pvm('-e', 'print read u24 at 0', '--snapshot', snapshot);
} finally {
  target.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
