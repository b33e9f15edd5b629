import {
  mostSerious2,
  statusCommand2,
  throwIfIncomplete2,
  revertEverywhere2
} from "./main-wdycb10q.js";
import"./main-382xrxkr.js";
import"./main-macb8xf4.js";
import"./main-7cnv84d3.js";
import"./main-96f73920.js";
import"./main-zh9kgs33.js";
import"./main-zffz883y.js";
export {
  mostSerious2 as mostSerious,
  revertEverywhere2 as revertEverywhere,
  statusCommand2 as statusCommand,
  throwIfIncomplete2 as throwIfIncomplete
};
