// The system policy: when this file exists it applies to every run, and a
// policy given with --policy can only narrow it (each must allow: see
// decide.ts). No option or environment variable moves or disables it; a
// test builds a copy of pvm with another path instead.
import { statSync } from 'node:fs';
import type { LoadedPolicy } from './load.ts';

/** A policy as a run may be given it: a file's path, or (the library) the policy itself. */
export type GivenPolicy = string | { readonly object: unknown };

export const SYSTEM_POLICY_PATH = '/etc/pvm/policy.json';

/**
 * The system policy if it exists (an invalid one is an error: pvm never runs
 * unpoliced by mistake), then the user's: a file (--policy), or an object
 * (the API's), validated alike. The validator (zod) is loaded only when there
 * is a policy to read: most runs have none, and start-up counts.
 */
export async function loadPolicies(userPolicy: GivenPolicy | undefined): Promise<LoadedPolicy[]> {
  const system = systemPolicyIsThere();
  if (!system && userPolicy === undefined) return [];
  const { loadPolicy, policyOfObject } = await import('./load.ts');
  return [
    ...(system ? [loadPolicy(SYSTEM_POLICY_PATH)] : []),
    ...(userPolicy === undefined ? [] : [typeof userPolicy === 'string' ? loadPolicy(userPolicy) : policyOfObject(userPolicy.object)]),
  ];
}

/**
 * Whether there is a system policy: only "no such file" says there is none. A file pvm cannot look at (its
 * directory closed to this user) is there, and loading it says why it cannot be read: existsSync answered false
 * for that, and pvm ran with no system policy at all.
 */
function systemPolicyIsThere(): boolean {
  try {
    statSync(SYSTEM_POLICY_PATH);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}
