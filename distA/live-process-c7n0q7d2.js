import {
  LiveProcess2,
  startTimeOf2
} from "./main-zh9kgs33.js";
import"./main-zffz883y.js";
export {
  LiveProcess2 as LiveProcess,
  startTimeOf2 as startTimeOf
};
