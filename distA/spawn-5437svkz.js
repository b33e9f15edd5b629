import {
  parseReadiness2,
  spawnTarget2
} from "./main-96f73920.js";
export {
  parseReadiness2 as parseReadiness,
  spawnTarget2 as spawnTarget
};
