// `npm run schema`: writes schema/policy.schema.json, the JSON Schema of pvm
// policy files, from the same zod definition that validates them
// (src/policy/schema.ts). A test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { policyJsonSchema } = await import(`${root}dist/policy/schema.js`);
writeFileSync(`${root}schema/policy.schema.json`, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log('wrote schema/policy.schema.json');
