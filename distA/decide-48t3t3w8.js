import {
  describeRule2,
  decideTarget2,
  RegionRules2,
  decideWriting2,
  decideCode2,
  decideFreeze2,
  tightest2
} from "./main-96f73920.js";
export {
  RegionRules2 as RegionRules,
  decideCode2 as decideCode,
  decideFreeze2 as decideFreeze,
  decideTarget2 as decideTarget,
  decideWriting2 as decideWriting,
  describeRule2 as describeRule,
  tightest2 as tightest
};
