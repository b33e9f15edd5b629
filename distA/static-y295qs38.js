import {
  checkPlanStatically2,
  formatStaticDecision2
} from "./main-96f73920.js";
export {
  checkPlanStatically2 as checkPlanStatically,
  formatStaticDecision2 as formatStaticDecision
};
