// src/policy/system.ts
import { existsSync } from "node:fs";
var SYSTEM_POLICY_PATH = "/etc/pvm/policy.json";
async function loadPolicies2(userPolicy) {
  const paths = [...existsSync(SYSTEM_POLICY_PATH) ? [SYSTEM_POLICY_PATH] : [], ...userPolicy === undefined ? [] : [userPolicy]];
  if (paths.length === 0)
    return [];
  const { loadPolicy } = await import("./load-3f6qyc6x.js");
  return paths.map(loadPolicy);
}

export { loadPolicies2 };
