import {
  loadPolicies2
} from "./main-z3rdad8p.js";
export {
  loadPolicies2 as loadPolicies
};
