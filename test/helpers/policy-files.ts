// Policy files for tests: each call writes a new file in `dir` with this content (JSON, or text as it is).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function policyWriter(dir: string): (json: unknown) => string {
  let files = 0;
  return (json) => {
    const path = join(dir, `policy-${++files}.json`);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };
}
