import {
  execute2,
  readOnlyRefusal2,
  writeRefusal2
} from "./main-a5e845s4.js";
import"./main-macb8xf4.js";
import"./main-w0nhtcw6.js";
import"./main-7cnv84d3.js";
import"./main-bfat7e64.js";
import"./main-5ghqgfn3.js";
import"./main-96f73920.js";
import"./main-zffz883y.js";
export {
  execute2 as execute,
  readOnlyRefusal2 as readOnlyRefusal,
  writeRefusal2 as writeRefusal
};
