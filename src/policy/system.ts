// The system policy: when this file exists it applies to every run, and a
// policy given with --policy can only narrow it (each must allow: see
// decide.ts). No option or environment variable moves or disables it; a
// test builds a copy of pvm with another path instead.
import { existsSync } from 'node:fs';
import { loadPolicy, type LoadedPolicy } from './load.ts';

export const SYSTEM_POLICY_PATH = '/etc/pvm/policy.json';

/** The system policy if it exists (an invalid one is an error: pvm never runs unpoliced by mistake), then the user's. */
export function loadPolicies(userPolicy: string | undefined): LoadedPolicy[] {
  const policies: LoadedPolicy[] = [];
  if (existsSync(SYSTEM_POLICY_PATH)) policies.push(loadPolicy(SYSTEM_POLICY_PATH));
  if (userPolicy !== undefined) policies.push(loadPolicy(userPolicy));
  return policies;
}
