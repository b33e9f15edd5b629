// Reading a policy file: JSON, validated by the schema (schema.ts). Any
// problem is exit 2, naming the file, the JSON path and what is wrong, and
// for an unknown key the near key: `write.alow: unknown key (did you mean
// allow?)`. A policy carries its sha256, for audits and reports.
import { sha256Hex } from '../digest.ts';
import type { z } from 'zod';
import { UsageError } from '../errors.ts';
import { MAX_POLICY_BYTES } from '../limits.ts';
import { readBoundedFile } from '../regular-file.ts';
import { closest } from '../suggest.ts';
import { type Policy, PolicySchema } from './schema.ts';

export interface LoadedPolicy {
  readonly path: string;
  readonly sha256: string;
  readonly policy: Policy;
}

/** Reads and validates a policy file; throws UsageError (exit 2) listing every problem. */
export function loadPolicy(path: string): LoadedPolicy {
  const text = readBoundedFile(path, MAX_POLICY_BYTES, ({ why, fix }) => new UsageError('policy-unreadable', `cannot read policy ${path}: ${why}`, { hint: fix ?? 'check the path given to --policy' }));
  return parsePolicy(path, text);
}

/** What names a policy given as an object (the API's `policy` option), where a file's path would. */
export const POLICY_OBJECT_NAME = 'the policy object';

/**
 * A policy given as an object, validated as a file would be; its sha256 is that of its JSON text (as
 * JSON.stringify writes it), which audits and reports record.
 */
export function policyOfObject(object: unknown): LoadedPolicy {
  let text: string | undefined;
  try {
    text = JSON.stringify(object);
  } catch (error) {
    throw new UsageError('policy-invalid', `${POLICY_OBJECT_NAME} cannot be written as JSON: ${(error as Error).message}`, { hint: 'give plain JSON data: objects, arrays, strings, numbers, booleans' });
  }
  if (text === undefined || typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new UsageError('policy-invalid', `${POLICY_OBJECT_NAME} is not an object`, { hint: 'a policy is one object: { "write": { "allow": false } }; see docs/policy.md' });
  }
  return parsePolicy(POLICY_OBJECT_NAME, text);
}

export function parsePolicy(path: string, text: string): LoadedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError('policy-invalid', `${path} is not JSON: ${(error as Error).message}`, { hint: 'a policy is one JSON object; see docs/policy.md' });
  }
  const result = PolicySchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.flatMap(describeIssue);
    throw new UsageError('policy-invalid', `${path}: ${problems.join('; ')}`, { hint: 'docs/policy.md lists every key; schema/policy.schema.json lets an editor check the file' });
  }
  return { path, sha256: sha256Hex(text), policy: result.data };
}

/** One issue as `path: what is wrong`, an unknown key with the near key. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = (path: readonly PropertyKey[]) => (path.length === 0 ? '(top level)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replaceAll('.[', '['));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.path);
    return issue.keys.map((key) => {
      const near = closest(key, known);
      return `${at([...issue.path, key])}: unknown key${near === undefined ? ` (the keys here are ${known.join(', ')})` : ` (did you mean ${near}?)`}`;
    });
  }
  if (issue.code === 'invalid_type') return [`${at(issue.path)}: expected ${issue.expected}`];
  return [`${at(issue.path)}: ${issue.message}`];
}

/** The keys the schema knows at a path of objects. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = PolicySchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (typeof part === 'number') schema = (schema as z.ZodArray<z.ZodType>).element;
    else schema = (schema as z.ZodObject).shape[part as string] as z.ZodType;
  }
  return Object.keys((unwrap(schema) as z.ZodObject).shape);
}

/** The schema inside `.optional()`. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current.def.type === 'optional') current = (current as unknown as z.ZodOptional<z.ZodType>).unwrap();
  return current;
}
