import {
  compileRecipe2,
  compileInput2
} from "./main-mds4t5ch.js";
import"./main-w0nhtcw6.js";
import"./main-5ghqgfn3.js";
import"./main-zffz883y.js";
export {
  compileInput2 as compileInput,
  compileRecipe2 as compileRecipe
};
