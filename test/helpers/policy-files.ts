// Policy files for tests: each call writes a new file in `dir` with this content (JSON, or text as it is);
// and, for a test file of live policy tests, the fixture and the directory its files go to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Fixture, startFixture } from './fixture.ts';

export function policyWriter(dir: string): (json: unknown) => string {
  let files = 0;
  return (json) => {
    const path = join(dir, `policy-${++files}.json`);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };
}

/**
 * The live fixture (started before the file's tests, stopped after) and a temporary directory (removed
 * after) that `policy` writes policy files into: what every file of live policy tests sets up.
 */
export function livePolicyFiles(prefix: string): { readonly fixture: () => Fixture; readonly dir: string; readonly policy: (json: unknown) => string } {
  let fixture: Fixture | undefined;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(async () => {
    await fixture?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { fixture: () => fixture!, dir, policy: policyWriter(dir) };
}
