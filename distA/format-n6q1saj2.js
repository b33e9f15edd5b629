import {
  jsonValue2,
  formatEvent2,
  formatScanSummary2,
  formatBytes2,
  formatError2,
  formatErrorJson2,
  formatRevert2
} from "./main-96f73920.js";
export {
  formatBytes2 as formatBytes,
  formatError2 as formatError,
  formatErrorJson2 as formatErrorJson,
  formatEvent2 as formatEvent,
  formatRevert2 as formatRevert,
  formatScanSummary2 as formatScanSummary,
  jsonValue2 as jsonValue
};
