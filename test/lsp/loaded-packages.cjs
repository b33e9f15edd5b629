// Runs Bun's bundle of the CLI (dist/bun/cli.js) with the arguments in
// PVM_ARGS (JSON), then prints on stderr the packages it loaded: what a
// command's start-up costs in node_modules.
process.argv = [process.argv[0], 'pvm', ...JSON.parse(process.env.PVM_ARGS)];
require(process.env.BUNDLE);
setTimeout(() => {
  const loaded = Object.keys(require.cache).filter((path) => path.includes('/node_modules/'));
  process.stderr.write(`${JSON.stringify([...new Set(loaded.map((path) => path.replace(/.*\/node_modules\/((?:@[^/]+\/)?[^/]+).*/, '$1')))])}\n`);
  process.exit(0);
}, Number(process.env.WAIT_MS));
