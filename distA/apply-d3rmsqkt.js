import {
  refusePlan2,
  refuseTarget2,
  policyLimits2,
  policedSource2
} from "./main-96f73920.js";
export {
  policedSource2 as policedSource,
  policyLimits2 as policyLimits,
  refusePlan2 as refusePlan,
  refuseTarget2 as refuseTarget
};
