import {
  revertJournal2
} from "./main-382xrxkr.js";
import"./main-macb8xf4.js";
import"./main-7cnv84d3.js";
export {
  revertJournal2 as revertJournal
};
