import {
  HELPER_VARIABLE2,
  prepareRun2,
  judgePlan2,
  journalFor2,
  runPrepared2,
  recordWrites2
} from "./main-dxdz2fvn.js";
import"./main-96f73920.js";
export {
  HELPER_VARIABLE2 as HELPER_VARIABLE,
  journalFor2 as journalFor,
  judgePlan2 as judgePlan,
  prepareRun2 as prepareRun,
  recordWrites2 as recordWrites,
  runPrepared2 as runPrepared
};
