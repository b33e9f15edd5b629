import {
  InvalidRecipe
} from "./main-96f73920.js";
import {
  scanBrackets,
  parsePattern
} from "./main-mds4t5ch.js";

// src/dsl/grammar-bundle.ts
import * as ohm from "ohm-js";
var { makeRecipe } = ohm;
var grammar = makeRecipe(["grammar", { source: `Pvm {
  Recipe = sep* ListOf<Stmt, sep+> sep*

  Stmt = Param
       | Let
       | Print
       | Emit
       | If
       | For
       | While
       | Break
       | Assert
       | Write
       | Patch
       | Dump
       | Assign

  Param = kw<"param"> ident ":" Type ParamDefault?
  ParamDefault = "=" Expr
  Let = kw<"let"> ident "=" Expr
  Print = kw<"print"> NonemptyListOf<Expr, ",">
  Emit = kw<"emit"> ident "=" Expr
  Assign = ident "=" Expr
  If = kw<"if"> Expr Block Else?
  Else = kw<"else"> If   -- if
       | kw<"else"> Block  -- block
  For = kw<"for"> ident kw<"in"> ForSource ForLimit? Block
  ForSource = Arith ".." Arith  -- range
            | Arith             -- list
  ForLimit = kw<"limit"> Arith
  // \`while p != 0 limit 1000 { … }\`; \`break\` leaves the innermost loop.
  While = kw<"while"> Expr ForLimit? Block
  Break = breakWord
  Assert = kw<"assert"> Expr AssertMessage?
  AssertMessage = "," Expr
  // \`write u32 at p = n + 1\`, \`write bytes at p = "hello\\0"\`
  Write = kw<"write"> Type kw<"at"> Arith "=" Expr
  // \`dump p, 64\`: a hexdump of 64 bytes at p
  Dump = kw<"dump"> Arith "," Arith
  // \`patch at fn expect hex"8b 05" with hex"b8 01 00 00 00 c3"\`, or a block of
  // such sites (without \`patch\`), optionally named and frozen.
  Patch = kw<"patch"> string? freezeWord? PatchBody
  PatchBody = "{" sep* ListOf<PatchSite, sep+> sep* "}"  -- block
            | PatchSite                                  -- single
  PatchSite = kw<"at"> Arith PatchExpect? kw<"with"> Datum
  PatchExpect = kw<"expect"> Datum
  // A block may span lines; \`else\` follows its \`}\` on the same line, as in Go.
  Block = "{" sep* ListOf<Stmt, sep+> sep* "}"

  // Bytes given as a value: \`u32 1000\` and \`f64 1.5\` encode a number,
  // \`utf16 "text"\` a string as UTF-16LE; anything else is bytes or a string
  // as it is (\`hex"48 8b ??"\`, \`"secret"\`, a name).
  Datum = scalarType Arith  -- typed
        | kw<"utf16"> Arith     -- utf16
        | Arith             -- plain

  // \`scan NEEDLE in RANGE [perms "r-x"] [align N] [limit N] [unique]\`
  Scan = kw<"scan"> Datum kw<"in"> ScanRange ScanOption*
  ScanRange = allWord   -- all
            | anonWord  -- anon
            | Arith     -- region
  ScanOption = kw<"perms"> Primary  -- perms
             | kw<"align"> Primary  -- align
             | kw<"limit"> Primary  -- limit
             | uniqueWord       -- unique

  // \`narrow hits u32 == 90\`, \`narrow hits f32 == 1.5 within 0.01\`, \`narrow hits u32 between 10 and 20\`,
  // \`narrow hits i32 decreased\`: the items whose value passes the test now (Cheat Engine's next scan);
  // \`narrow hits u32 any\` keeps every item that can be read, remembering its value (an unknown initial value).
  Narrow = kw<"narrow"> Postfix scalarType NarrowTest
  NarrowTest = compareOp Arith NarrowWithin?        -- compare
             | kw<"between"> Arith kw<"and"> Arith  -- between
             | changeWord                           -- change
             | anyWord                              -- any
  NarrowWithin = kw<"within"> Arith
  changeWord = ("unchanged" | "changed" | "increased" | "decreased") ~identPart
  anyWord = "any" ~identPart

  // A type is a name with an optional size, so that \`u24\` or \`bytes x\` parse
  // and the checker, not the parser, explains what is wrong with them.
  Type = CstringMax
       | SizedType
       | typeName
  CstringMax = kw<"cstring"> kw<"max"> Primary
  SizedType = sizedTypeName Primary
  sizedTypeName = ("bytes" | "utf16") ~identPart
  typeName (a type) = letter alnum*
  scalarType (a type such as u32) = ("u8" | "u16be" | "u16" | "u32be" | "u32" | "u64be" | "u64"
                                   | "i8" | "i16be" | "i16" | "i32be" | "i32" | "i64be" | "i64"
                                   | "f32be" | "f32" | "f64be" | "f64" | "ptr") ~identPart

  // Conditions: \`!\` binds tighter than \`&&\`, which binds tighter than \`||\`.
  Expr = Or
  Or = Or "||" And  -- or
     | And
  And = And "&&" Not  -- and
      | Not
  Not = "!" Not  -- not
      | Compare
  Compare = Arith compareOp Arith  -- compare
          | Arith
  compareOp = "==" | "!=" | "<=" | ">=" | "<" | ">"

  // Arithmetic only (SPEC §2: \`at\` never takes a comparison). C precedence.
  Arith = BitOr
  BitOr = BitOr "|" BitXor   -- or
        | BitXor
  BitXor = BitXor "^" BitAnd  -- xor
         | BitAnd
  BitAnd = BitAnd "&" Shift   -- and
         | Shift
  Shift = Shift "<<" Add  -- shl
        | Shift ">>" Add  -- shr
        | Add
  Add = Add "+" Mul  -- add
      | Add "-" Mul  -- sub
      | Mul
  Mul = Mul "*" Unary  -- mul
      | Mul "/" Unary  -- div
      | Mul "%" Unary  -- mod
      | Unary
  Unary = "-" Unary  -- neg
        | "~" Unary  -- not
        | Postfix
  Postfix = Postfix "." ident          -- field
          | Postfix "[" Arith "]"      -- index
          | Primary
  Primary = Read
          | Scan
          | Narrow
          | ListLiteral
          | Deref
          | Paren
          | Call
          | number
          | hexString
          | string
          | boolean
          | ident
  Call = ident "(" ListOf<Expr, ","> ")"
  Read = kw<"read"> Type kw<"at"> Arith
  Deref = "[" Arith "]"
  // A list: \`[]\`, \`[a, b]\`, or \`[a,]\` for one item (\`[a]\` reads a pointer at a).
  ListLiteral = "[" "]"                                   -- empty
              | "[" Expr "," ListOf<Expr, ","> ","? "]"  -- items
  Paren = "(" Expr ")"

  number = digit+ "." digit+                        -- float
         | "0x" hexDigit (hexDigit | "_")*  -- hex
         | "0b" binDigit (binDigit | "_")*  -- bin
         | digit (digit | "_")*             -- dec
  binDigit = "0" | "1"

  string = "\\"" strChar* "\\""
  strChar = "\\\\" escape  -- escaped
          | ~("\\"" | "\\\\" | nl) any  -- plain
  escape = "x" hexDigit hexDigit                  -- hex
         | ("n" | "t" | "r" | "0" | "\\\\" | "\\"")  -- single

  // \`hex"48 8b ?? ?5 [2-4] ( 62 B4 | 56 )"\`: the pattern inside is read by
  // pattern.ts, which explains a bad pattern better than a grammar can.
  hexString = "hex\\"" hexStringChar* "\\""
  hexStringChar = ~("\\"" | nl) any

  ident (a name) = ~keyword identStart identPart*
  identStart = letter | "_"
  identPart = alnum | "_"
  keyword = ("param" | "let" | "print" | "emit" | "read" | "at" | "if" | "else" | "for" | "in" | "limit" | "assert"
            | "write" | "scan" | "patch" | "expect" | "with" | "dump" | "while" | "break" | "true" | "false" | "narrow") ~identPart
  boolean = ("true" | "false") ~identPart
  breakWord = "break" ~identPart
  allWord = "all" ~identPart
  anonWord = "anon" ~identPart
  uniqueWord = "unique" ~identPart
  freezeWord = "freeze" ~identPart

  // A word of the language, not the start of a longer name: \`letter = 1\` assigns letter, never \`let ter\`.
  kw<word> = word ~identPart

  sep (end of statement) = nl | ";"
  nl = "\\r\\n" | "\\n"
  comment = "#" (~nl any)*
  space := " " | "\\t" | "\\r" | comment
}` }, "Pvm", null, "Recipe", { Recipe: ["define", { sourceInterval: [8, 45] }, null, [], ["seq", { sourceInterval: [17, 45] }, ["star", { sourceInterval: [17, 21] }, ["app", { sourceInterval: [17, 20] }, "sep", []]], ["app", { sourceInterval: [22, 40] }, "ListOf", [["app", { sourceInterval: [29, 33] }, "Stmt", []], ["plus", { sourceInterval: [35, 39] }, ["app", { sourceInterval: [35, 38] }, "sep", []]]]], ["star", { sourceInterval: [41, 45] }, ["app", { sourceInterval: [41, 44] }, "sep", []]]]], Stmt: ["define", { sourceInterval: [49, 234] }, null, [], ["alt", { sourceInterval: [56, 234] }, ["app", { sourceInterval: [56, 61] }, "Param", []], ["app", { sourceInterval: [71, 74] }, "Let", []], ["app", { sourceInterval: [84, 89] }, "Print", []], ["app", { sourceInterval: [99, 103] }, "Emit", []], ["app", { sourceInterval: [113, 115] }, "If", []], ["app", { sourceInterval: [125, 128] }, "For", []], ["app", { sourceInterval: [138, 143] }, "While", []], ["app", { sourceInterval: [153, 158] }, "Break", []], ["app", { sourceInterval: [168, 174] }, "Assert", []], ["app", { sourceInterval: [184, 189] }, "Write", []], ["app", { sourceInterval: [199, 204] }, "Patch", []], ["app", { sourceInterval: [214, 218] }, "Dump", []], ["app", { sourceInterval: [228, 234] }, "Assign", []]]], Param: ["define", { sourceInterval: [238, 286] }, null, [], ["seq", { sourceInterval: [246, 286] }, ["app", { sourceInterval: [246, 257] }, "kw", [["terminal", { sourceInterval: [249, 256] }, "param"]]], ["app", { sourceInterval: [258, 263] }, "ident", []], ["terminal", { sourceInterval: [264, 267] }, ":"], ["app", { sourceInterval: [268, 272] }, "Type", []], ["opt", { sourceInterval: [273, 286] }, ["app", { sourceInterval: [273, 285] }, "ParamDefault", []]]]], ParamDefault: ["define", { sourceInterval: [289, 312] }, null, [], ["seq", { sourceInterval: [304, 312] }, ["terminal", { sourceInterval: [304, 307] }, "="], ["app", { sourceInterval: [308, 312] }, "Expr", []]]], Let: ["define", { sourceInterval: [315, 345] }, null, [], ["seq", { sourceInterval: [321, 345] }, ["app", { sourceInterval: [321, 330] }, "kw", [["terminal", { sourceInterval: [324, 329] }, "let"]]], ["app", { sourceInterval: [331, 336] }, "ident", []], ["terminal", { sourceInterval: [337, 340] }, "="], ["app", { sourceInterval: [341, 345] }, "Expr", []]]], Print: ["define", { sourceInterval: [348, 393] }, null, [], ["seq", { sourceInterval: [356, 393] }, ["app", { sourceInterval: [356, 367] }, "kw", [["terminal", { sourceInterval: [359, 366] }, "print"]]], ["app", { sourceInterval: [368, 393] }, "NonemptyListOf", [["app", { sourceInterval: [383, 387] }, "Expr", []], ["terminal", { sourceInterval: [389, 392] }, ","]]]]], Emit: ["define", { sourceInterval: [396, 428] }, null, [], ["seq", { sourceInterval: [403, 428] }, ["app", { sourceInterval: [403, 413] }, "kw", [["terminal", { sourceInterval: [406, 412] }, "emit"]]], ["app", { sourceInterval: [414, 419] }, "ident", []], ["terminal", { sourceInterval: [420, 423] }, "="], ["app", { sourceInterval: [424, 428] }, "Expr", []]]], Assign: ["define", { sourceInterval: [431, 454] }, null, [], ["seq", { sourceInterval: [440, 454] }, ["app", { sourceInterval: [440, 445] }, "ident", []], ["terminal", { sourceInterval: [446, 449] }, "="], ["app", { sourceInterval: [450, 454] }, "Expr", []]]], If: ["define", { sourceInterval: [457, 487] }, null, [], ["seq", { sourceInterval: [462, 487] }, ["app", { sourceInterval: [462, 470] }, "kw", [["terminal", { sourceInterval: [465, 469] }, "if"]]], ["app", { sourceInterval: [471, 475] }, "Expr", []], ["app", { sourceInterval: [476, 481] }, "Block", []], ["opt", { sourceInterval: [482, 487] }, ["app", { sourceInterval: [482, 486] }, "Else", []]]]], Else_if: ["define", { sourceInterval: [497, 518] }, null, [], ["seq", { sourceInterval: [497, 510] }, ["app", { sourceInterval: [497, 507] }, "kw", [["terminal", { sourceInterval: [500, 506] }, "else"]]], ["app", { sourceInterval: [508, 510] }, "If", []]]], Else_block: ["define", { sourceInterval: [528, 554] }, null, [], ["seq", { sourceInterval: [528, 544] }, ["app", { sourceInterval: [528, 538] }, "kw", [["terminal", { sourceInterval: [531, 537] }, "else"]]], ["app", { sourceInterval: [539, 544] }, "Block", []]]], Else: ["define", { sourceInterval: [490, 554] }, null, [], ["alt", { sourceInterval: [497, 554] }, ["app", { sourceInterval: [497, 510] }, "Else_if", []], ["app", { sourceInterval: [528, 544] }, "Else_block", []]]], For: ["define", { sourceInterval: [557, 613] }, null, [], ["seq", { sourceInterval: [563, 613] }, ["app", { sourceInterval: [563, 572] }, "kw", [["terminal", { sourceInterval: [566, 571] }, "for"]]], ["app", { sourceInterval: [573, 578] }, "ident", []], ["app", { sourceInterval: [579, 587] }, "kw", [["terminal", { sourceInterval: [582, 586] }, "in"]]], ["app", { sourceInterval: [588, 597] }, "ForSource", []], ["opt", { sourceInterval: [598, 607] }, ["app", { sourceInterval: [598, 606] }, "ForLimit", []]], ["app", { sourceInterval: [608, 613] }, "Block", []]]], ForSource_range: ["define", { sourceInterval: [628, 654] }, null, [], ["seq", { sourceInterval: [628, 644] }, ["app", { sourceInterval: [628, 633] }, "Arith", []], ["terminal", { sourceInterval: [634, 638] }, ".."], ["app", { sourceInterval: [639, 644] }, "Arith", []]]], ForSource_list: ["define", { sourceInterval: [669, 694] }, null, [], ["app", { sourceInterval: [669, 674] }, "Arith", []]], ForSource: ["define", { sourceInterval: [616, 694] }, null, [], ["alt", { sourceInterval: [628, 694] }, ["app", { sourceInterval: [628, 644] }, "ForSource_range", []], ["app", { sourceInterval: [669, 674] }, "ForSource_list", []]]], ForLimit: ["define", { sourceInterval: [697, 725] }, null, [], ["seq", { sourceInterval: [708, 725] }, ["app", { sourceInterval: [708, 719] }, "kw", [["terminal", { sourceInterval: [711, 718] }, "limit"]]], ["app", { sourceInterval: [720, 725] }, "Arith", []]]], While: ["define", { sourceInterval: [801, 841] }, null, [], ["seq", { sourceInterval: [809, 841] }, ["app", { sourceInterval: [809, 820] }, "kw", [["terminal", { sourceInterval: [812, 819] }, "while"]]], ["app", { sourceInterval: [821, 825] }, "Expr", []], ["opt", { sourceInterval: [826, 835] }, ["app", { sourceInterval: [826, 834] }, "ForLimit", []]], ["app", { sourceInterval: [836, 841] }, "Block", []]]], Break: ["define", { sourceInterval: [844, 861] }, null, [], ["app", { sourceInterval: [852, 861] }, "breakWord", []]], Assert: ["define", { sourceInterval: [864, 905] }, null, [], ["seq", { sourceInterval: [873, 905] }, ["app", { sourceInterval: [873, 885] }, "kw", [["terminal", { sourceInterval: [876, 884] }, "assert"]]], ["app", { sourceInterval: [886, 890] }, "Expr", []], ["opt", { sourceInterval: [891, 905] }, ["app", { sourceInterval: [891, 904] }, "AssertMessage", []]]]], AssertMessage: ["define", { sourceInterval: [908, 932] }, null, [], ["seq", { sourceInterval: [924, 932] }, ["terminal", { sourceInterval: [924, 927] }, ","], ["app", { sourceInterval: [928, 932] }, "Expr", []]]], Write: ["define", { sourceInterval: [997, 1045] }, null, [], ["seq", { sourceInterval: [1005, 1045] }, ["app", { sourceInterval: [1005, 1016] }, "kw", [["terminal", { sourceInterval: [1008, 1015] }, "write"]]], ["app", { sourceInterval: [1017, 1021] }, "Type", []], ["app", { sourceInterval: [1022, 1030] }, "kw", [["terminal", { sourceInterval: [1025, 1029] }, "at"]]], ["app", { sourceInterval: [1031, 1036] }, "Arith", []], ["terminal", { sourceInterval: [1037, 1040] }, "="], ["app", { sourceInterval: [1041, 1045] }, "Expr", []]]], Dump: ["define", { sourceInterval: [1094, 1127] }, null, [], ["seq", { sourceInterval: [1101, 1127] }, ["app", { sourceInterval: [1101, 1111] }, "kw", [["terminal", { sourceInterval: [1104, 1110] }, "dump"]]], ["app", { sourceInterval: [1112, 1117] }, "Arith", []], ["terminal", { sourceInterval: [1118, 1121] }, ","], ["app", { sourceInterval: [1122, 1127] }, "Arith", []]]], Patch: ["define", { sourceInterval: [1274, 1323] }, null, [], ["seq", { sourceInterval: [1282, 1323] }, ["app", { sourceInterval: [1282, 1293] }, "kw", [["terminal", { sourceInterval: [1285, 1292] }, "patch"]]], ["opt", { sourceInterval: [1294, 1301] }, ["app", { sourceInterval: [1294, 1300] }, "string", []]], ["opt", { sourceInterval: [1302, 1313] }, ["app", { sourceInterval: [1302, 1312] }, "freezeWord", []]], ["app", { sourceInterval: [1314, 1323] }, "PatchBody", []]]], PatchBody_block: ["define", { sourceInterval: [1338, 1389] }, null, [], ["seq", { sourceInterval: [1338, 1379] }, ["terminal", { sourceInterval: [1338, 1341] }, "{"], ["star", { sourceInterval: [1342, 1346] }, ["app", { sourceInterval: [1342, 1345] }, "sep", []]], ["app", { sourceInterval: [1347, 1370] }, "ListOf", [["app", { sourceInterval: [1354, 1363] }, "PatchSite", []], ["plus", { sourceInterval: [1365, 1369] }, ["app", { sourceInterval: [1365, 1368] }, "sep", []]]]], ["star", { sourceInterval: [1371, 1375] }, ["app", { sourceInterval: [1371, 1374] }, "sep", []]], ["terminal", { sourceInterval: [1376, 1379] }, "}"]]], PatchBody_single: ["define", { sourceInterval: [1404, 1456] }, null, [], ["app", { sourceInterval: [1404, 1413] }, "PatchSite", []]], PatchBody: ["define", { sourceInterval: [1326, 1456] }, null, [], ["alt", { sourceInterval: [1338, 1456] }, ["app", { sourceInterval: [1338, 1379] }, "PatchBody_block", []], ["app", { sourceInterval: [1404, 1413] }, "PatchBody_single", []]]], PatchSite: ["define", { sourceInterval: [1459, 1515] }, null, [], ["seq", { sourceInterval: [1471, 1515] }, ["app", { sourceInterval: [1471, 1479] }, "kw", [["terminal", { sourceInterval: [1474, 1478] }, "at"]]], ["app", { sourceInterval: [1480, 1485] }, "Arith", []], ["opt", { sourceInterval: [1486, 1498] }, ["app", { sourceInterval: [1486, 1497] }, "PatchExpect", []]], ["app", { sourceInterval: [1499, 1509] }, "kw", [["terminal", { sourceInterval: [1502, 1508] }, "with"]]], ["app", { sourceInterval: [1510, 1515] }, "Datum", []]]], PatchExpect: ["define", { sourceInterval: [1518, 1550] }, null, [], ["seq", { sourceInterval: [1532, 1550] }, ["app", { sourceInterval: [1532, 1544] }, "kw", [["terminal", { sourceInterval: [1535, 1543] }, "expect"]]], ["app", { sourceInterval: [1545, 1550] }, "Datum", []]]], Block: ["define", { sourceInterval: [1633, 1677] }, null, [], ["seq", { sourceInterval: [1641, 1677] }, ["terminal", { sourceInterval: [1641, 1644] }, "{"], ["star", { sourceInterval: [1645, 1649] }, ["app", { sourceInterval: [1645, 1648] }, "sep", []]], ["app", { sourceInterval: [1650, 1668] }, "ListOf", [["app", { sourceInterval: [1657, 1661] }, "Stmt", []], ["plus", { sourceInterval: [1663, 1667] }, ["app", { sourceInterval: [1663, 1666] }, "sep", []]]]], ["star", { sourceInterval: [1669, 1673] }, ["app", { sourceInterval: [1669, 1672] }, "sep", []]], ["terminal", { sourceInterval: [1674, 1677] }, "}"]]], Datum_typed: ["define", { sourceInterval: [1890, 1916] }, null, [], ["seq", { sourceInterval: [1890, 1906] }, ["app", { sourceInterval: [1890, 1900] }, "scalarType", []], ["app", { sourceInterval: [1901, 1906] }, "Arith", []]]], Datum_utf16: ["define", { sourceInterval: [1927, 1957] }, null, [], ["seq", { sourceInterval: [1927, 1944] }, ["app", { sourceInterval: [1927, 1938] }, "kw", [["terminal", { sourceInterval: [1930, 1937] }, "utf16"]]], ["app", { sourceInterval: [1939, 1944] }, "Arith", []]]], Datum_plain: ["define", { sourceInterval: [1968, 1994] }, null, [], ["app", { sourceInterval: [1968, 1973] }, "Arith", []]], Datum: ["define", { sourceInterval: [1882, 1994] }, null, [], ["alt", { sourceInterval: [1890, 1994] }, ["app", { sourceInterval: [1890, 1906] }, "Datum_typed", []], ["app", { sourceInterval: [1927, 1944] }, "Datum_utf16", []], ["app", { sourceInterval: [1968, 1973] }, "Datum_plain", []]]], Scan: ["define", { sourceInterval: [2069, 2123] }, null, [], ["seq", { sourceInterval: [2076, 2123] }, ["app", { sourceInterval: [2076, 2086] }, "kw", [["terminal", { sourceInterval: [2079, 2085] }, "scan"]]], ["app", { sourceInterval: [2087, 2092] }, "Datum", []], ["app", { sourceInterval: [2093, 2101] }, "kw", [["terminal", { sourceInterval: [2096, 2100] }, "in"]]], ["app", { sourceInterval: [2102, 2111] }, "ScanRange", []], ["star", { sourceInterval: [2112, 2123] }, ["app", { sourceInterval: [2112, 2122] }, "ScanOption", []]]]], ScanRange_all: ["define", { sourceInterval: [2138, 2154] }, null, [], ["app", { sourceInterval: [2138, 2145] }, "allWord", []]], ScanRange_anon: ["define", { sourceInterval: [2169, 2186] }, null, [], ["app", { sourceInterval: [2169, 2177] }, "anonWord", []]], ScanRange_region: ["define", { sourceInterval: [2201, 2220] }, null, [], ["app", { sourceInterval: [2201, 2206] }, "Arith", []]], ScanRange: ["define", { sourceInterval: [2126, 2220] }, null, [], ["alt", { sourceInterval: [2138, 2220] }, ["app", { sourceInterval: [2138, 2145] }, "ScanRange_all", []], ["app", { sourceInterval: [2169, 2177] }, "ScanRange_anon", []], ["app", { sourceInterval: [2201, 2206] }, "ScanRange_region", []]]], ScanOption_perms: ["define", { sourceInterval: [2236, 2265] }, null, [], ["seq", { sourceInterval: [2236, 2255] }, ["app", { sourceInterval: [2236, 2247] }, "kw", [["terminal", { sourceInterval: [2239, 2246] }, "perms"]]], ["app", { sourceInterval: [2248, 2255] }, "Primary", []]]], ScanOption_align: ["define", { sourceInterval: [2281, 2310] }, null, [], ["seq", { sourceInterval: [2281, 2300] }, ["app", { sourceInterval: [2281, 2292] }, "kw", [["terminal", { sourceInterval: [2284, 2291] }, "align"]]], ["app", { sourceInterval: [2293, 2300] }, "Primary", []]]], ScanOption_limit: ["define", { sourceInterval: [2326, 2355] }, null, [], ["seq", { sourceInterval: [2326, 2345] }, ["app", { sourceInterval: [2326, 2337] }, "kw", [["terminal", { sourceInterval: [2329, 2336] }, "limit"]]], ["app", { sourceInterval: [2338, 2345] }, "Primary", []]]], ScanOption_unique: ["define", { sourceInterval: [2371, 2397] }, null, [], ["app", { sourceInterval: [2371, 2381] }, "uniqueWord", []]], ScanOption: ["define", { sourceInterval: [2223, 2397] }, null, [], ["alt", { sourceInterval: [2236, 2397] }, ["app", { sourceInterval: [2236, 2255] }, "ScanOption_perms", []], ["app", { sourceInterval: [2281, 2300] }, "ScanOption_align", []], ["app", { sourceInterval: [2326, 2345] }, "ScanOption_limit", []], ["app", { sourceInterval: [2371, 2381] }, "ScanOption_unique", []]]], Narrow: ["define", { sourceInterval: [2722, 2773] }, null, [], ["seq", { sourceInterval: [2731, 2773] }, ["app", { sourceInterval: [2731, 2743] }, "kw", [["terminal", { sourceInterval: [2734, 2742] }, "narrow"]]], ["app", { sourceInterval: [2744, 2751] }, "Postfix", []], ["app", { sourceInterval: [2752, 2762] }, "scalarType", []], ["app", { sourceInterval: [2763, 2773] }, "NarrowTest", []]]], NarrowTest_compare: ["define", { sourceInterval: [2789, 2836] }, null, [], ["seq", { sourceInterval: [2789, 2818] }, ["app", { sourceInterval: [2789, 2798] }, "compareOp", []], ["app", { sourceInterval: [2799, 2804] }, "Arith", []], ["opt", { sourceInterval: [2805, 2818] }, ["app", { sourceInterval: [2805, 2817] }, "NarrowWithin", []]]]], NarrowTest_between: ["define", { sourceInterval: [2852, 2899] }, null, [], ["seq", { sourceInterval: [2852, 2887] }, ["app", { sourceInterval: [2852, 2865] }, "kw", [["terminal", { sourceInterval: [2855, 2864] }, "between"]]], ["app", { sourceInterval: [2866, 2871] }, "Arith", []], ["app", { sourceInterval: [2872, 2881] }, "kw", [["terminal", { sourceInterval: [2875, 2880] }, "and"]]], ["app", { sourceInterval: [2882, 2887] }, "Arith", []]]], NarrowTest_change: ["define", { sourceInterval: [2915, 2961] }, null, [], ["app", { sourceInterval: [2915, 2925] }, "changeWord", []]], NarrowTest_any: ["define", { sourceInterval: [2977, 3020] }, null, [], ["app", { sourceInterval: [2977, 2984] }, "anyWord", []]], NarrowTest: ["define", { sourceInterval: [2776, 3020] }, null, [], ["alt", { sourceInterval: [2789, 3020] }, ["app", { sourceInterval: [2789, 2818] }, "NarrowTest_compare", []], ["app", { sourceInterval: [2852, 2887] }, "NarrowTest_between", []], ["app", { sourceInterval: [2915, 2925] }, "NarrowTest_change", []], ["app", { sourceInterval: [2977, 2984] }, "NarrowTest_any", []]]], NarrowWithin: ["define", { sourceInterval: [3023, 3056] }, null, [], ["seq", { sourceInterval: [3038, 3056] }, ["app", { sourceInterval: [3038, 3050] }, "kw", [["terminal", { sourceInterval: [3041, 3049] }, "within"]]], ["app", { sourceInterval: [3051, 3056] }, "Arith", []]]], changeWord: ["define", { sourceInterval: [3059, 3136] }, null, [], ["seq", { sourceInterval: [3072, 3136] }, ["alt", { sourceInterval: [3073, 3124] }, ["terminal", { sourceInterval: [3073, 3084] }, "unchanged"], ["terminal", { sourceInterval: [3087, 3096] }, "changed"], ["terminal", { sourceInterval: [3099, 3110] }, "increased"], ["terminal", { sourceInterval: [3113, 3124] }, "decreased"]], ["not", { sourceInterval: [3126, 3136] }, ["app", { sourceInterval: [3127, 3136] }, "identPart", []]]]], anyWord: ["define", { sourceInterval: [3139, 3165] }, null, [], ["seq", { sourceInterval: [3149, 3165] }, ["terminal", { sourceInterval: [3149, 3154] }, "any"], ["not", { sourceInterval: [3155, 3165] }, ["app", { sourceInterval: [3156, 3165] }, "identPart", []]]]], Type: ["define", { sourceInterval: [3319, 3373] }, null, [], ["alt", { sourceInterval: [3326, 3373] }, ["app", { sourceInterval: [3326, 3336] }, "CstringMax", []], ["app", { sourceInterval: [3346, 3355] }, "SizedType", []], ["app", { sourceInterval: [3365, 3373] }, "typeName", []]]], CstringMax: ["define", { sourceInterval: [3376, 3420] }, null, [], ["seq", { sourceInterval: [3389, 3420] }, ["app", { sourceInterval: [3389, 3402] }, "kw", [["terminal", { sourceInterval: [3392, 3401] }, "cstring"]]], ["app", { sourceInterval: [3403, 3412] }, "kw", [["terminal", { sourceInterval: [3406, 3411] }, "max"]]], ["app", { sourceInterval: [3413, 3420] }, "Primary", []]]], SizedType: ["define", { sourceInterval: [3423, 3456] }, null, [], ["seq", { sourceInterval: [3435, 3456] }, ["app", { sourceInterval: [3435, 3448] }, "sizedTypeName", []], ["app", { sourceInterval: [3449, 3456] }, "Primary", []]]], sizedTypeName: ["define", { sourceInterval: [3459, 3505] }, null, [], ["seq", { sourceInterval: [3475, 3505] }, ["alt", { sourceInterval: [3476, 3493] }, ["terminal", { sourceInterval: [3476, 3483] }, "bytes"], ["terminal", { sourceInterval: [3486, 3493] }, "utf16"]], ["not", { sourceInterval: [3495, 3505] }, ["app", { sourceInterval: [3496, 3505] }, "identPart", []]]]], typeName: ["define", { sourceInterval: [3508, 3541] }, "a type", [], ["seq", { sourceInterval: [3528, 3541] }, ["app", { sourceInterval: [3528, 3534] }, "letter", []], ["star", { sourceInterval: [3535, 3541] }, ["app", { sourceInterval: [3535, 3540] }, "alnum", []]]]], scalarType: ["define", { sourceInterval: [3544, 3824] }, "a type such as u32", [], ["seq", { sourceInterval: [3578, 3824] }, ["alt", { sourceInterval: [3579, 3812] }, ["terminal", { sourceInterval: [3579, 3583] }, "u8"], ["terminal", { sourceInterval: [3586, 3593] }, "u16be"], ["terminal", { sourceInterval: [3596, 3601] }, "u16"], ["terminal", { sourceInterval: [3604, 3611] }, "u32be"], ["terminal", { sourceInterval: [3614, 3619] }, "u32"], ["terminal", { sourceInterval: [3622, 3629] }, "u64be"], ["terminal", { sourceInterval: [3632, 3637] }, "u64"], ["terminal", { sourceInterval: [3675, 3679] }, "i8"], ["terminal", { sourceInterval: [3682, 3689] }, "i16be"], ["terminal", { sourceInterval: [3692, 3697] }, "i16"], ["terminal", { sourceInterval: [3700, 3707] }, "i32be"], ["terminal", { sourceInterval: [3710, 3715] }, "i32"], ["terminal", { sourceInterval: [3718, 3725] }, "i64be"], ["terminal", { sourceInterval: [3728, 3733] }, "i64"], ["terminal", { sourceInterval: [3771, 3778] }, "f32be"], ["terminal", { sourceInterval: [3781, 3786] }, "f32"], ["terminal", { sourceInterval: [3789, 3796] }, "f64be"], ["terminal", { sourceInterval: [3799, 3804] }, "f64"], ["terminal", { sourceInterval: [3807, 3812] }, "ptr"]], ["not", { sourceInterval: [3814, 3824] }, ["app", { sourceInterval: [3815, 3824] }, "identPart", []]]]], Expr: ["define", { sourceInterval: [3905, 3914] }, null, [], ["app", { sourceInterval: [3912, 3914] }, "Or", []]], Or_or: ["define", { sourceInterval: [3922, 3940] }, null, [], ["seq", { sourceInterval: [3922, 3933] }, ["app", { sourceInterval: [3922, 3924] }, "Or", []], ["terminal", { sourceInterval: [3925, 3929] }, "||"], ["app", { sourceInterval: [3930, 3933] }, "And", []]]], Or: ["define", { sourceInterval: [3917, 3951] }, null, [], ["alt", { sourceInterval: [3922, 3951] }, ["app", { sourceInterval: [3922, 3933] }, "Or_or", []], ["app", { sourceInterval: [3948, 3951] }, "And", []]]], And_and: ["define", { sourceInterval: [3960, 3980] }, null, [], ["seq", { sourceInterval: [3960, 3972] }, ["app", { sourceInterval: [3960, 3963] }, "And", []], ["terminal", { sourceInterval: [3964, 3968] }, "&&"], ["app", { sourceInterval: [3969, 3972] }, "Not", []]]], And: ["define", { sourceInterval: [3954, 3992] }, null, [], ["alt", { sourceInterval: [3960, 3992] }, ["app", { sourceInterval: [3960, 3972] }, "And_and", []], ["app", { sourceInterval: [3989, 3992] }, "Not", []]]], Not_not: ["define", { sourceInterval: [4001, 4016] }, null, [], ["seq", { sourceInterval: [4001, 4008] }, ["terminal", { sourceInterval: [4001, 4004] }, "!"], ["app", { sourceInterval: [4005, 4008] }, "Not", []]]], Not: ["define", { sourceInterval: [3995, 4032] }, null, [], ["alt", { sourceInterval: [4001, 4032] }, ["app", { sourceInterval: [4001, 4008] }, "Not_not", []], ["app", { sourceInterval: [4025, 4032] }, "Compare", []]]], Compare_compare: ["define", { sourceInterval: [4045, 4078] }, null, [], ["seq", { sourceInterval: [4045, 4066] }, ["app", { sourceInterval: [4045, 4050] }, "Arith", []], ["app", { sourceInterval: [4051, 4060] }, "compareOp", []], ["app", { sourceInterval: [4061, 4066] }, "Arith", []]]], Compare: ["define", { sourceInterval: [4035, 4096] }, null, [], ["alt", { sourceInterval: [4045, 4096] }, ["app", { sourceInterval: [4045, 4066] }, "Compare_compare", []], ["app", { sourceInterval: [4091, 4096] }, "Arith", []]]], compareOp: ["define", { sourceInterval: [4099, 4148] }, null, [], ["alt", { sourceInterval: [4111, 4148] }, ["terminal", { sourceInterval: [4111, 4115] }, "=="], ["terminal", { sourceInterval: [4118, 4122] }, "!="], ["terminal", { sourceInterval: [4125, 4129] }, "<="], ["terminal", { sourceInterval: [4132, 4136] }, ">="], ["terminal", { sourceInterval: [4139, 4142] }, "<"], ["terminal", { sourceInterval: [4145, 4148] }, ">"]]], Arith: ["define", { sourceInterval: [4229, 4242] }, null, [], ["app", { sourceInterval: [4237, 4242] }, "BitOr", []]], BitOr_or: ["define", { sourceInterval: [4253, 4277] }, null, [], ["seq", { sourceInterval: [4253, 4269] }, ["app", { sourceInterval: [4253, 4258] }, "BitOr", []], ["terminal", { sourceInterval: [4259, 4262] }, "|"], ["app", { sourceInterval: [4263, 4269] }, "BitXor", []]]], BitOr: ["define", { sourceInterval: [4245, 4294] }, null, [], ["alt", { sourceInterval: [4253, 4294] }, ["app", { sourceInterval: [4253, 4269] }, "BitOr_or", []], ["app", { sourceInterval: [4288, 4294] }, "BitXor", []]]], BitXor_xor: ["define", { sourceInterval: [4306, 4331] }, null, [], ["seq", { sourceInterval: [4306, 4323] }, ["app", { sourceInterval: [4306, 4312] }, "BitXor", []], ["terminal", { sourceInterval: [4313, 4316] }, "^"], ["app", { sourceInterval: [4317, 4323] }, "BitAnd", []]]], BitXor: ["define", { sourceInterval: [4297, 4349] }, null, [], ["alt", { sourceInterval: [4306, 4349] }, ["app", { sourceInterval: [4306, 4323] }, "BitXor_xor", []], ["app", { sourceInterval: [4343, 4349] }, "BitAnd", []]]], BitAnd_and: ["define", { sourceInterval: [4361, 4386] }, null, [], ["seq", { sourceInterval: [4361, 4377] }, ["app", { sourceInterval: [4361, 4367] }, "BitAnd", []], ["terminal", { sourceInterval: [4368, 4371] }, "&"], ["app", { sourceInterval: [4372, 4377] }, "Shift", []]]], BitAnd: ["define", { sourceInterval: [4352, 4403] }, null, [], ["alt", { sourceInterval: [4361, 4403] }, ["app", { sourceInterval: [4361, 4377] }, "BitAnd_and", []], ["app", { sourceInterval: [4398, 4403] }, "Shift", []]]], Shift_shl: ["define", { sourceInterval: [4414, 4436] }, null, [], ["seq", { sourceInterval: [4414, 4428] }, ["app", { sourceInterval: [4414, 4419] }, "Shift", []], ["terminal", { sourceInterval: [4420, 4424] }, "<<"], ["app", { sourceInterval: [4425, 4428] }, "Add", []]]], Shift_shr: ["define", { sourceInterval: [4447, 4469] }, null, [], ["seq", { sourceInterval: [4447, 4461] }, ["app", { sourceInterval: [4447, 4452] }, "Shift", []], ["terminal", { sourceInterval: [4453, 4457] }, ">>"], ["app", { sourceInterval: [4458, 4461] }, "Add", []]]], Shift: ["define", { sourceInterval: [4406, 4483] }, null, [], ["alt", { sourceInterval: [4414, 4483] }, ["app", { sourceInterval: [4414, 4428] }, "Shift_shl", []], ["app", { sourceInterval: [4447, 4461] }, "Shift_shr", []], ["app", { sourceInterval: [4480, 4483] }, "Add", []]]], Add_add: ["define", { sourceInterval: [4492, 4511] }, null, [], ["seq", { sourceInterval: [4492, 4503] }, ["app", { sourceInterval: [4492, 4495] }, "Add", []], ["terminal", { sourceInterval: [4496, 4499] }, "+"], ["app", { sourceInterval: [4500, 4503] }, "Mul", []]]], Add_sub: ["define", { sourceInterval: [4520, 4539] }, null, [], ["seq", { sourceInterval: [4520, 4531] }, ["app", { sourceInterval: [4520, 4523] }, "Add", []], ["terminal", { sourceInterval: [4524, 4527] }, "-"], ["app", { sourceInterval: [4528, 4531] }, "Mul", []]]], Add: ["define", { sourceInterval: [4486, 4551] }, null, [], ["alt", { sourceInterval: [4492, 4551] }, ["app", { sourceInterval: [4492, 4503] }, "Add_add", []], ["app", { sourceInterval: [4520, 4531] }, "Add_sub", []], ["app", { sourceInterval: [4548, 4551] }, "Mul", []]]], Mul_mul: ["define", { sourceInterval: [4560, 4581] }, null, [], ["seq", { sourceInterval: [4560, 4573] }, ["app", { sourceInterval: [4560, 4563] }, "Mul", []], ["terminal", { sourceInterval: [4564, 4567] }, "*"], ["app", { sourceInterval: [4568, 4573] }, "Unary", []]]], Mul_div: ["define", { sourceInterval: [4590, 4611] }, null, [], ["seq", { sourceInterval: [4590, 4603] }, ["app", { sourceInterval: [4590, 4593] }, "Mul", []], ["terminal", { sourceInterval: [4594, 4597] }, "/"], ["app", { sourceInterval: [4598, 4603] }, "Unary", []]]], Mul_mod: ["define", { sourceInterval: [4620, 4641] }, null, [], ["seq", { sourceInterval: [4620, 4633] }, ["app", { sourceInterval: [4620, 4623] }, "Mul", []], ["terminal", { sourceInterval: [4624, 4627] }, "%"], ["app", { sourceInterval: [4628, 4633] }, "Unary", []]]], Mul: ["define", { sourceInterval: [4554, 4655] }, null, [], ["alt", { sourceInterval: [4560, 4655] }, ["app", { sourceInterval: [4560, 4573] }, "Mul_mul", []], ["app", { sourceInterval: [4590, 4603] }, "Mul_div", []], ["app", { sourceInterval: [4620, 4633] }, "Mul_mod", []], ["app", { sourceInterval: [4650, 4655] }, "Unary", []]]], Unary_neg: ["define", { sourceInterval: [4666, 4683] }, null, [], ["seq", { sourceInterval: [4666, 4675] }, ["terminal", { sourceInterval: [4666, 4669] }, "-"], ["app", { sourceInterval: [4670, 4675] }, "Unary", []]]], Unary_not: ["define", { sourceInterval: [4694, 4711] }, null, [], ["seq", { sourceInterval: [4694, 4703] }, ["terminal", { sourceInterval: [4694, 4697] }, "~"], ["app", { sourceInterval: [4698, 4703] }, "Unary", []]]], Unary: ["define", { sourceInterval: [4658, 4729] }, null, [], ["alt", { sourceInterval: [4666, 4729] }, ["app", { sourceInterval: [4666, 4675] }, "Unary_neg", []], ["app", { sourceInterval: [4694, 4703] }, "Unary_not", []], ["app", { sourceInterval: [4722, 4729] }, "Postfix", []]]], Postfix_field: ["define", { sourceInterval: [4742, 4777] }, null, [], ["seq", { sourceInterval: [4742, 4759] }, ["app", { sourceInterval: [4742, 4749] }, "Postfix", []], ["terminal", { sourceInterval: [4750, 4753] }, "."], ["app", { sourceInterval: [4754, 4759] }, "ident", []]]], Postfix_index: ["define", { sourceInterval: [4790, 4825] }, null, [], ["seq", { sourceInterval: [4790, 4811] }, ["app", { sourceInterval: [4790, 4797] }, "Postfix", []], ["terminal", { sourceInterval: [4798, 4801] }, "["], ["app", { sourceInterval: [4802, 4807] }, "Arith", []], ["terminal", { sourceInterval: [4808, 4811] }, "]"]]], Postfix: ["define", { sourceInterval: [4732, 4845] }, null, [], ["alt", { sourceInterval: [4742, 4845] }, ["app", { sourceInterval: [4742, 4759] }, "Postfix_field", []], ["app", { sourceInterval: [4790, 4811] }, "Postfix_index", []], ["app", { sourceInterval: [4838, 4845] }, "Primary", []]]], Primary: ["define", { sourceInterval: [4848, 5073] }, null, [], ["alt", { sourceInterval: [4858, 5073] }, ["app", { sourceInterval: [4858, 4862] }, "Read", []], ["app", { sourceInterval: [4875, 4879] }, "Scan", []], ["app", { sourceInterval: [4892, 4898] }, "Narrow", []], ["app", { sourceInterval: [4911, 4922] }, "ListLiteral", []], ["app", { sourceInterval: [4935, 4940] }, "Deref", []], ["app", { sourceInterval: [4953, 4958] }, "Paren", []], ["app", { sourceInterval: [4971, 4975] }, "Call", []], ["app", { sourceInterval: [4988, 4994] }, "number", []], ["app", { sourceInterval: [5007, 5016] }, "hexString", []], ["app", { sourceInterval: [5029, 5035] }, "string", []], ["app", { sourceInterval: [5048, 5055] }, "boolean", []], ["app", { sourceInterval: [5068, 5073] }, "ident", []]]], Call: ["define", { sourceInterval: [5076, 5114] }, null, [], ["seq", { sourceInterval: [5083, 5114] }, ["app", { sourceInterval: [5083, 5088] }, "ident", []], ["terminal", { sourceInterval: [5089, 5092] }, "("], ["app", { sourceInterval: [5093, 5110] }, "ListOf", [["app", { sourceInterval: [5100, 5104] }, "Expr", []], ["terminal", { sourceInterval: [5106, 5109] }, ","]]], ["terminal", { sourceInterval: [5111, 5114] }, ")"]]], Read: ["define", { sourceInterval: [5117, 5154] }, null, [], ["seq", { sourceInterval: [5124, 5154] }, ["app", { sourceInterval: [5124, 5134] }, "kw", [["terminal", { sourceInterval: [5127, 5133] }, "read"]]], ["app", { sourceInterval: [5135, 5139] }, "Type", []], ["app", { sourceInterval: [5140, 5148] }, "kw", [["terminal", { sourceInterval: [5143, 5147] }, "at"]]], ["app", { sourceInterval: [5149, 5154] }, "Arith", []]]], Deref: ["define", { sourceInterval: [5157, 5178] }, null, [], ["seq", { sourceInterval: [5165, 5178] }, ["terminal", { sourceInterval: [5165, 5168] }, "["], ["app", { sourceInterval: [5169, 5174] }, "Arith", []], ["terminal", { sourceInterval: [5175, 5178] }, "]"]]], ListLiteral_empty: ["define", { sourceInterval: [5277, 5327] }, null, [], ["seq", { sourceInterval: [5277, 5284] }, ["terminal", { sourceInterval: [5277, 5280] }, "["], ["terminal", { sourceInterval: [5281, 5284] }, "]"]]], ListLiteral_items: ["define", { sourceInterval: [5344, 5393] }, null, [], ["seq", { sourceInterval: [5344, 5383] }, ["terminal", { sourceInterval: [5344, 5347] }, "["], ["app", { sourceInterval: [5348, 5352] }, "Expr", []], ["terminal", { sourceInterval: [5353, 5356] }, ","], ["app", { sourceInterval: [5357, 5374] }, "ListOf", [["app", { sourceInterval: [5364, 5368] }, "Expr", []], ["terminal", { sourceInterval: [5370, 5373] }, ","]]], ["opt", { sourceInterval: [5375, 5379] }, ["terminal", { sourceInterval: [5375, 5378] }, ","]], ["terminal", { sourceInterval: [5380, 5383] }, "]"]]], ListLiteral: ["define", { sourceInterval: [5263, 5393] }, null, [], ["alt", { sourceInterval: [5277, 5393] }, ["app", { sourceInterval: [5277, 5284] }, "ListLiteral_empty", []], ["app", { sourceInterval: [5344, 5383] }, "ListLiteral_items", []]]], Paren: ["define", { sourceInterval: [5396, 5416] }, null, [], ["seq", { sourceInterval: [5404, 5416] }, ["terminal", { sourceInterval: [5404, 5407] }, "("], ["app", { sourceInterval: [5408, 5412] }, "Expr", []], ["terminal", { sourceInterval: [5413, 5416] }, ")"]]], number_float: ["define", { sourceInterval: [5429, 5478] }, null, [], ["seq", { sourceInterval: [5429, 5446] }, ["plus", { sourceInterval: [5429, 5435] }, ["app", { sourceInterval: [5429, 5434] }, "digit", []]], ["terminal", { sourceInterval: [5436, 5439] }, "."], ["plus", { sourceInterval: [5440, 5446] }, ["app", { sourceInterval: [5440, 5445] }, "digit", []]]]], number_hex: ["define", { sourceInterval: [5490, 5529] }, null, [], ["seq", { sourceInterval: [5490, 5521] }, ["terminal", { sourceInterval: [5490, 5494] }, "0x"], ["app", { sourceInterval: [5495, 5503] }, "hexDigit", []], ["star", { sourceInterval: [5504, 5521] }, ["alt", { sourceInterval: [5505, 5519] }, ["app", { sourceInterval: [5505, 5513] }, "hexDigit", []], ["terminal", { sourceInterval: [5516, 5519] }, "_"]]]]], number_bin: ["define", { sourceInterval: [5541, 5580] }, null, [], ["seq", { sourceInterval: [5541, 5572] }, ["terminal", { sourceInterval: [5541, 5545] }, "0b"], ["app", { sourceInterval: [5546, 5554] }, "binDigit", []], ["star", { sourceInterval: [5555, 5572] }, ["alt", { sourceInterval: [5556, 5570] }, ["app", { sourceInterval: [5556, 5564] }, "binDigit", []], ["terminal", { sourceInterval: [5567, 5570] }, "_"]]]]], number_dec: ["define", { sourceInterval: [5592, 5631] }, null, [], ["seq", { sourceInterval: [5592, 5612] }, ["app", { sourceInterval: [5592, 5597] }, "digit", []], ["star", { sourceInterval: [5598, 5612] }, ["alt", { sourceInterval: [5599, 5610] }, ["app", { sourceInterval: [5599, 5604] }, "digit", []], ["terminal", { sourceInterval: [5607, 5610] }, "_"]]]]], number: ["define", { sourceInterval: [5420, 5631] }, null, [], ["alt", { sourceInterval: [5429, 5631] }, ["app", { sourceInterval: [5429, 5446] }, "number_float", []], ["app", { sourceInterval: [5490, 5521] }, "number_hex", []], ["app", { sourceInterval: [5541, 5572] }, "number_bin", []], ["app", { sourceInterval: [5592, 5612] }, "number_dec", []]]], binDigit: ["define", { sourceInterval: [5634, 5654] }, null, [], ["alt", { sourceInterval: [5645, 5654] }, ["terminal", { sourceInterval: [5645, 5648] }, "0"], ["terminal", { sourceInterval: [5651, 5654] }, "1"]]], string: ["define", { sourceInterval: [5658, 5685] }, null, [], ["seq", { sourceInterval: [5667, 5685] }, ["terminal", { sourceInterval: [5667, 5671] }, '"'], ["star", { sourceInterval: [5672, 5680] }, ["app", { sourceInterval: [5672, 5679] }, "strChar", []]], ["terminal", { sourceInterval: [5681, 5685] }, '"']]], strChar_escaped: ["define", { sourceInterval: [5698, 5721] }, null, [], ["seq", { sourceInterval: [5698, 5709] }, ["terminal", { sourceInterval: [5698, 5702] }, "\\"], ["app", { sourceInterval: [5703, 5709] }, "escape", []]]], strChar_plain: ["define", { sourceInterval: [5734, 5767] }, null, [], ["seq", { sourceInterval: [5734, 5757] }, ["not", { sourceInterval: [5734, 5753] }, ["alt", { sourceInterval: [5736, 5752] }, ["terminal", { sourceInterval: [5736, 5740] }, '"'], ["terminal", { sourceInterval: [5743, 5747] }, "\\"], ["app", { sourceInterval: [5750, 5752] }, "nl", []]]], ["app", { sourceInterval: [5754, 5757] }, "any", []]]], strChar: ["define", { sourceInterval: [5688, 5767] }, null, [], ["alt", { sourceInterval: [5698, 5767] }, ["app", { sourceInterval: [5698, 5709] }, "strChar_escaped", []], ["app", { sourceInterval: [5734, 5757] }, "strChar_plain", []]]], escape_hex: ["define", { sourceInterval: [5779, 5824] }, null, [], ["seq", { sourceInterval: [5779, 5800] }, ["terminal", { sourceInterval: [5779, 5782] }, "x"], ["app", { sourceInterval: [5783, 5791] }, "hexDigit", []], ["app", { sourceInterval: [5792, 5800] }, "hexDigit", []]]], escape_single: ["define", { sourceInterval: [5836, 5884] }, null, [], ["alt", { sourceInterval: [5836, 5873] }, ["terminal", { sourceInterval: [5837, 5840] }, "n"], ["terminal", { sourceInterval: [5843, 5846] }, "t"], ["terminal", { sourceInterval: [5849, 5852] }, "r"], ["terminal", { sourceInterval: [5855, 5858] }, "0"], ["terminal", { sourceInterval: [5861, 5865] }, "\\"], ["terminal", { sourceInterval: [5868, 5872] }, '"']]], escape: ["define", { sourceInterval: [5770, 5884] }, null, [], ["alt", { sourceInterval: [5779, 5884] }, ["app", { sourceInterval: [5779, 5800] }, "escape_hex", []], ["app", { sourceInterval: [5836, 5873] }, "escape_single", []]]], hexString: ["define", { sourceInterval: [6037, 6076] }, null, [], ["seq", { sourceInterval: [6049, 6076] }, ["terminal", { sourceInterval: [6049, 6056] }, 'hex"'], ["star", { sourceInterval: [6057, 6071] }, ["app", { sourceInterval: [6057, 6070] }, "hexStringChar", []]], ["terminal", { sourceInterval: [6072, 6076] }, '"']]], hexStringChar: ["define", { sourceInterval: [6079, 6111] }, null, [], ["seq", { sourceInterval: [6095, 6111] }, ["not", { sourceInterval: [6095, 6107] }, ["alt", { sourceInterval: [6097, 6106] }, ["terminal", { sourceInterval: [6097, 6101] }, '"'], ["app", { sourceInterval: [6104, 6106] }, "nl", []]]], ["app", { sourceInterval: [6108, 6111] }, "any", []]]], ident: ["define", { sourceInterval: [6115, 6162] }, "a name", [], ["seq", { sourceInterval: [6132, 6162] }, ["not", { sourceInterval: [6132, 6140] }, ["app", { sourceInterval: [6133, 6140] }, "keyword", []]], ["app", { sourceInterval: [6141, 6151] }, "identStart", []], ["star", { sourceInterval: [6152, 6162] }, ["app", { sourceInterval: [6152, 6161] }, "identPart", []]]]], identStart: ["define", { sourceInterval: [6165, 6190] }, null, [], ["alt", { sourceInterval: [6178, 6190] }, ["app", { sourceInterval: [6178, 6184] }, "letter", []], ["terminal", { sourceInterval: [6187, 6190] }, "_"]]], identPart: ["define", { sourceInterval: [6193, 6216] }, null, [], ["alt", { sourceInterval: [6205, 6216] }, ["app", { sourceInterval: [6205, 6210] }, "alnum", []], ["terminal", { sourceInterval: [6213, 6216] }, "_"]]], keyword: ["define", { sourceInterval: [6219, 6464] }, null, [], ["seq", { sourceInterval: [6229, 6464] }, ["alt", { sourceInterval: [6230, 6452] }, ["terminal", { sourceInterval: [6230, 6237] }, "param"], ["terminal", { sourceInterval: [6240, 6245] }, "let"], ["terminal", { sourceInterval: [6248, 6255] }, "print"], ["terminal", { sourceInterval: [6258, 6264] }, "emit"], ["terminal", { sourceInterval: [6267, 6273] }, "read"], ["terminal", { sourceInterval: [6276, 6280] }, "at"], ["terminal", { sourceInterval: [6283, 6287] }, "if"], ["terminal", { sourceInterval: [6290, 6296] }, "else"], ["terminal", { sourceInterval: [6299, 6304] }, "for"], ["terminal", { sourceInterval: [6307, 6311] }, "in"], ["terminal", { sourceInterval: [6314, 6321] }, "limit"], ["terminal", { sourceInterval: [6324, 6332] }, "assert"], ["terminal", { sourceInterval: [6347, 6354] }, "write"], ["terminal", { sourceInterval: [6357, 6363] }, "scan"], ["terminal", { sourceInterval: [6366, 6373] }, "patch"], ["terminal", { sourceInterval: [6376, 6384] }, "expect"], ["terminal", { sourceInterval: [6387, 6393] }, "with"], ["terminal", { sourceInterval: [6396, 6402] }, "dump"], ["terminal", { sourceInterval: [6405, 6412] }, "while"], ["terminal", { sourceInterval: [6415, 6422] }, "break"], ["terminal", { sourceInterval: [6425, 6431] }, "true"], ["terminal", { sourceInterval: [6434, 6441] }, "false"], ["terminal", { sourceInterval: [6444, 6452] }, "narrow"]], ["not", { sourceInterval: [6454, 6464] }, ["app", { sourceInterval: [6455, 6464] }, "identPart", []]]]], boolean: ["define", { sourceInterval: [6467, 6506] }, null, [], ["seq", { sourceInterval: [6477, 6506] }, ["alt", { sourceInterval: [6478, 6494] }, ["terminal", { sourceInterval: [6478, 6484] }, "true"], ["terminal", { sourceInterval: [6487, 6494] }, "false"]], ["not", { sourceInterval: [6496, 6506] }, ["app", { sourceInterval: [6497, 6506] }, "identPart", []]]]], breakWord: ["define", { sourceInterval: [6509, 6539] }, null, [], ["seq", { sourceInterval: [6521, 6539] }, ["terminal", { sourceInterval: [6521, 6528] }, "break"], ["not", { sourceInterval: [6529, 6539] }, ["app", { sourceInterval: [6530, 6539] }, "identPart", []]]]], allWord: ["define", { sourceInterval: [6542, 6568] }, null, [], ["seq", { sourceInterval: [6552, 6568] }, ["terminal", { sourceInterval: [6552, 6557] }, "all"], ["not", { sourceInterval: [6558, 6568] }, ["app", { sourceInterval: [6559, 6568] }, "identPart", []]]]], anonWord: ["define", { sourceInterval: [6571, 6599] }, null, [], ["seq", { sourceInterval: [6582, 6599] }, ["terminal", { sourceInterval: [6582, 6588] }, "anon"], ["not", { sourceInterval: [6589, 6599] }, ["app", { sourceInterval: [6590, 6599] }, "identPart", []]]]], uniqueWord: ["define", { sourceInterval: [6602, 6634] }, null, [], ["seq", { sourceInterval: [6615, 6634] }, ["terminal", { sourceInterval: [6615, 6623] }, "unique"], ["not", { sourceInterval: [6624, 6634] }, ["app", { sourceInterval: [6625, 6634] }, "identPart", []]]]], freezeWord: ["define", { sourceInterval: [6637, 6669] }, null, [], ["seq", { sourceInterval: [6650, 6669] }, ["terminal", { sourceInterval: [6650, 6658] }, "freeze"], ["not", { sourceInterval: [6659, 6669] }, ["app", { sourceInterval: [6660, 6669] }, "identPart", []]]]], kw: ["define", { sourceInterval: [6780, 6806] }, null, ["word"], ["seq", { sourceInterval: [6791, 6806] }, ["param", { sourceInterval: [6791, 6795] }, 0], ["not", { sourceInterval: [6796, 6806] }, ["app", { sourceInterval: [6797, 6806] }, "identPart", []]]]], sep: ["define", { sourceInterval: [6810, 6843] }, "end of statement", [], ["alt", { sourceInterval: [6835, 6843] }, ["app", { sourceInterval: [6835, 6837] }, "nl", []], ["terminal", { sourceInterval: [6840, 6843] }, ";"]]], nl: ["define", { sourceInterval: [6846, 6864] }, null, [], ["alt", { sourceInterval: [6851, 6864] }, ["terminal", { sourceInterval: [6851, 6857] }, `\r
`], ["terminal", { sourceInterval: [6860, 6864] }, `
`]]], comment: ["define", { sourceInterval: [6867, 6891] }, null, [], ["seq", { sourceInterval: [6877, 6891] }, ["terminal", { sourceInterval: [6877, 6880] }, "#"], ["star", { sourceInterval: [6881, 6891] }, ["seq", { sourceInterval: [6882, 6889] }, ["not", { sourceInterval: [6882, 6885] }, ["app", { sourceInterval: [6883, 6885] }, "nl", []]], ["app", { sourceInterval: [6886, 6889] }, "any", []]]]]], space: ["override", { sourceInterval: [6894, 6930] }, null, [], ["alt", { sourceInterval: [6903, 6930] }, ["terminal", { sourceInterval: [6903, 6906] }, " "], ["terminal", { sourceInterval: [6909, 6913] }, "\t"], ["terminal", { sourceInterval: [6916, 6920] }, "\r"], ["app", { sourceInterval: [6923, 6930] }, "comment", []]]] }]);

// src/dsl/parse.ts
var MAX_SYNTAX_ERRORS = 50;
function parseWithOhm(source, statementStarts = scanBrackets(source.text).statementStarts) {
  const statements = [];
  const diagnostics = [];
  const parseRange = (start, end) => {
    if (diagnostics.length >= MAX_SYNTAX_ERRORS)
      return;
    const match = grammar.match(start === 0 && end === source.text.length ? source.text : source.text.slice(start, end));
    if (!match.failed()) {
      const recipe = semantics(match).ast();
      if (start > 0)
        shiftSpans(recipe, start);
      statements.push(...recipe.statements);
      return;
    }
    const failure = start + match.getRightmostFailurePosition();
    const before = lastAtMost(statementStarts, failure, start);
    const after = statementStarts.find((at) => at > failure && at <= end) ?? end;
    if (before > start)
      parseRange(start, before);
    if (diagnostics.length < MAX_SYNTAX_ERRORS)
      diagnostics.push(syntaxDiagnostic(source, failure, match.getExpectedText()));
    if (after < end)
      parseRange(after, end);
  };
  for (const { start, end } of chunks(statementStarts, source.text.length, CHUNK_BYTES))
    parseRange(start, end);
  if (diagnostics.length > 0)
    throw new InvalidRecipe(source, diagnostics);
  return { statements };
}
var CHUNK_BYTES = 4 << 10;
function lastAtMost(offsets, limit, floor) {
  let found = floor;
  for (const at of offsets) {
    if (at > limit)
      break;
    if (at > found)
      found = at;
  }
  return found;
}
function chunks(statementStarts, length, size) {
  const out = [];
  let start = 0;
  for (const at of statementStarts) {
    if (at - start >= size) {
      out.push({ start, end: at });
      start = at;
    }
  }
  if (start < length || out.length === 0)
    out.push({ start, end: length });
  return out;
}
function shiftSpans(node, by, seen = new Set) {
  if (node === null || typeof node !== "object" || ArrayBuffer.isView(node) || seen.has(node))
    return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node)
      shiftSpans(item, by, seen);
    return;
  }
  const record = node;
  const keys = Object.keys(record);
  if (keys.length === 2 && typeof record.start === "number" && typeof record.end === "number") {
    record.start += by;
    record.end += by;
    return;
  }
  for (const key of keys)
    shiftSpans(record[key], by, seen);
}
var KEYWORDS = new Set([...String(grammar.rules["keyword"].body).matchAll(/"([a-z]+)"/g)].map((m) => m[1]));
function syntaxDiagnostic(source, offset, expected) {
  const found = source.text.slice(offset).match(/^(\r?\n|[A-Za-z_0-9]+|[^ \t])?/u)?.[0] ?? "";
  const invisible = found.length > 0 && /^[\s\u200b\ufeff]$/u.test(found) && !found.endsWith(`
`);
  const what = found === "" ? "end of recipe" : found.endsWith(`
`) ? "end of line" : invisible ? `character U+${found.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")} (invisible)` : `'${found}'`;
  const keyword = KEYWORDS.has(found) && expected.includes("a name");
  const lineStart = source.text.lastIndexOf(`
`, offset - 1) + 1;
  if (found === "else" && source.text.slice(lineStart, offset).trim() === "" && /}\s*$/.test(source.text.slice(0, lineStart))) {
    return {
      code: "syntax",
      message: "`else` must follow the `}` of its `if` on the same line",
      span: { start: offset, end: offset + 4 },
      hint: "write `} else {` (a newline after `}` ends the if statement)"
    };
  }
  return {
    code: "syntax",
    message: keyword ? `'${found}' is a keyword and cannot be a name` : `unexpected ${what}: expected ${expected}`,
    span: { start: offset, end: offset + Math.max(1, found.trimEnd().length) },
    hint: keyword ? `choose another name, such as '${found}_'` : "one statement per line (or separated by `;`); see docs/language.md"
  };
}
function span(node) {
  return { start: node.source.startIdx, end: node.source.endIdx };
}
function binary(operator) {
  return function(left, op, right) {
    return { kind: "binary", operator, left: left["ast"](), right: right["ast"](), operatorSpan: span(op), span: span(this) };
  };
}
function unary(operator) {
  return function(_op, operand) {
    return { kind: "unary", operator, operand: operand["ast"](), span: span(this) };
  };
}
function integerLiteral() {
  return { kind: "integer", value: BigInt(this.sourceString.replaceAll("_", "")), span: span(this) };
}
var utf8 = new TextEncoder;
function optional(node) {
  const first = node.children[0];
  return first === undefined ? undefined : first["ast"]();
}
var ESCAPES = { n: `
`, t: "\t", r: "\r", "0": "\x00", "\\": "\\", '"': '"' };
var semantics = grammar.createSemantics().addOperation("ast", {
  Recipe(_leading, statements, _trailing) {
    return { statements: statements.asIteration().children.map((s) => s["ast"]()) };
  },
  Param(_kw, name, _colon, type, dflt) {
    const first = dflt.children[0];
    return { kind: "param", name: name["ast"](), type: type["ast"](), default: first === undefined ? undefined : first["ast"](), span: span(this) };
  },
  ParamDefault(_eq, value) {
    return value["ast"]();
  },
  Let(_kw, name, _eq, value) {
    return { kind: "let", name: name["ast"](), value: value["ast"](), span: span(this) };
  },
  Print(_kw, values) {
    return { kind: "print", values: values.asIteration().children.map((v) => v["ast"]()), span: span(this) };
  },
  Emit(_kw, name, _eq, value) {
    return { kind: "emit", name: name["ast"](), value: value["ast"](), span: span(this) };
  },
  Assign(name, _eq, value) {
    return { kind: "assign", name: name["ast"](), value: value["ast"](), span: span(this) };
  },
  If(_kw, condition, then, otherwise) {
    const clause = otherwise.children[0];
    return { kind: "if", condition: condition["ast"](), then: then["ast"](), otherwise: clause === undefined ? undefined : clause["ast"](), span: span(this) };
  },
  Else_if(_kw, nested) {
    return [nested["ast"]()];
  },
  Else_block(_kw, block) {
    return block["ast"]();
  },
  For(_kw, variable, _in, over, limit, body) {
    return { kind: "for", variable: variable["ast"](), over: over["ast"](), limit: optional(limit), body: body["ast"](), span: span(this) };
  },
  While(_kw, condition, limit, body) {
    return { kind: "while", condition: condition["ast"](), limit: optional(limit), body: body["ast"](), span: span(this) };
  },
  Break(_kw) {
    return { kind: "break", span: span(this) };
  },
  ListLiteral_empty(_open, _close) {
    return { kind: "list", items: [], span: span(this) };
  },
  ListLiteral_items(_open, first, _comma, rest, _trailing, _close) {
    return { kind: "list", items: [first["ast"](), ...rest.asIteration().children.map((item) => item["ast"]())], span: span(this) };
  },
  boolean(_word) {
    return { kind: "boolean", value: this.sourceString === "true", span: span(this) };
  },
  ForSource_range(from, _dots, to) {
    return { kind: "range", from: from["ast"](), to: to["ast"]() };
  },
  ForSource_list(list) {
    return { kind: "list", list: list["ast"]() };
  },
  Write(_kw, type, _at, address, _eq, value) {
    return { kind: "write", type: type["ast"](), address: address["ast"](), value: value["ast"](), span: span(this) };
  },
  Dump(_kw, address, _comma, length) {
    return { kind: "dump", address: address["ast"](), length: length["ast"](), span: span(this) };
  },
  Patch(_kw, name, freeze, body) {
    return { kind: "patch", name: optional(name), freeze: freeze.children.length > 0, sites: body["ast"](), span: span(this) };
  },
  PatchBody_block(_open, _leading, sites, _trailing, _close) {
    return sites.asIteration().children.map((s) => s["ast"]());
  },
  PatchBody_single(site) {
    return [site["ast"]()];
  },
  PatchSite(_at, address, expect, _with, replacement) {
    return { address: address["ast"](), expect: optional(expect), replacement: replacement["ast"](), span: span(this) };
  },
  PatchExpect(_kw, datum) {
    return datum["ast"]();
  },
  Datum_typed(type, value) {
    return { kind: "typed", type: { name: type.sourceString, size: undefined, span: span(type) }, value: value["ast"](), span: span(this) };
  },
  Datum_utf16(_kw, value) {
    return { kind: "utf16", value: value["ast"](), span: span(this) };
  },
  Datum_plain(value) {
    return { kind: "plain", value: value["ast"](), span: span(this) };
  },
  Scan(_kw, needle, _in, range, options) {
    const given = new Map;
    const repeated = [];
    for (const option of options.children) {
      const name = /^[a-z]+/.exec(option.sourceString)[0];
      if (given.has(name))
        repeated.push(span(option));
      else
        given.set(name, option);
    }
    const value = (name) => {
      const option = given.get(name);
      return option === undefined ? undefined : option["ast"]();
    };
    return { kind: "scan", needle: needle["ast"](), range: range["ast"](), perms: value("perms"), align: value("align"), limit: value("limit"), unique: given.has("unique"), repeated, span: span(this) };
  },
  Narrow(_kw, list, type, test) {
    return { kind: "narrow", list: list["ast"](), type: { name: type.sourceString, size: undefined, span: span(type) }, test: test["ast"](), span: span(this) };
  },
  NarrowTest_compare(operator, value, within) {
    return { kind: "compare", operator: operator.sourceString, value: value["ast"](), within: optional(within), span: span(this) };
  },
  NarrowTest_between(_kw, low, _and, high) {
    return { kind: "between", low: low["ast"](), high: high["ast"](), span: span(this) };
  },
  NarrowTest_any(_word) {
    return { kind: "any", span: span(this) };
  },
  NarrowTest_change(word) {
    return { kind: "change", change: word.sourceString, span: span(this) };
  },
  NarrowWithin(_kw, value) {
    return value["ast"]();
  },
  ScanRange_all(_kw) {
    return { kind: "all", span: span(this) };
  },
  ScanRange_anon(_kw) {
    return { kind: "anon", span: span(this) };
  },
  ScanRange_region(region) {
    return { kind: "region", region: region["ast"](), span: span(this) };
  },
  ScanOption_perms(_kw, value) {
    return value["ast"]();
  },
  ScanOption_align(_kw, value) {
    return value["ast"]();
  },
  ScanOption_limit(_kw, value) {
    return value["ast"]();
  },
  ScanOption_unique(_kw) {
    return;
  },
  ForLimit(_kw, value) {
    return value["ast"]();
  },
  Assert(_kw, condition, message) {
    const clause = message.children[0];
    return { kind: "assert", condition: condition["ast"](), message: clause === undefined ? undefined : clause["ast"](), span: span(this) };
  },
  AssertMessage(_comma, value) {
    return value["ast"]();
  },
  Block(_open, _leading, statements, _trailing, _close) {
    return statements.asIteration().children.map((s) => s["ast"]());
  },
  Or_or(left, _op, right) {
    return { kind: "logical", operator: "||", left: left["ast"](), right: right["ast"](), span: span(this) };
  },
  And_and(left, _op, right) {
    return { kind: "logical", operator: "&&", left: left["ast"](), right: right["ast"](), span: span(this) };
  },
  Not_not(_op, operand) {
    return { kind: "not", operand: operand["ast"](), span: span(this) };
  },
  Compare_compare(left, op, right) {
    return { kind: "compare", operator: op.sourceString, left: left["ast"](), right: right["ast"](), span: span(this) };
  },
  CstringMax(kw, _max, value) {
    return { name: kw.sourceString, size: value["ast"](), span: span(this) };
  },
  SizedType(name, value) {
    return { name: name.sourceString, size: value["ast"](), span: span(this) };
  },
  typeName(_first, _rest) {
    return { name: this.sourceString, size: undefined, span: span(this) };
  },
  BitOr_or: binary("|"),
  BitXor_xor: binary("^"),
  BitAnd_and: binary("&"),
  Shift_shl: binary("<<"),
  Shift_shr: binary(">>"),
  Add_add: binary("+"),
  Add_sub: binary("-"),
  Mul_mul: binary("*"),
  Mul_div: binary("/"),
  Mul_mod: binary("%"),
  Unary_neg: unary("-"),
  Unary_not: unary("~"),
  Postfix_index(object, _open, index, _close) {
    return { kind: "index", object: object["ast"](), index: index["ast"](), span: span(this) };
  },
  Postfix_field(object, _dot, field) {
    return { kind: "field", object: object["ast"](), field: field["ast"](), span: span(this) };
  },
  Call(callee, _open, args, _close) {
    return { kind: "call", callee: callee["ast"](), args: args.asIteration().children.map((a) => a["ast"]()), span: span(this) };
  },
  Read(_kw, type, _at, address) {
    return { kind: "read", type: type["ast"](), address: address["ast"](), span: span(this) };
  },
  Deref(_open, address, _close) {
    return { kind: "deref", address: address["ast"](), span: span(this) };
  },
  Paren(_open, inner, _close) {
    return inner["ast"]();
  },
  number_float(_int, _dot, _frac) {
    return { kind: "float", value: Number(this.sourceString), span: span(this) };
  },
  number_hex(_prefix, _first, _rest) {
    return integerLiteral.call(this);
  },
  number_bin(_prefix, _first, _rest) {
    return integerLiteral.call(this);
  },
  number_dec(_first, _rest) {
    return integerLiteral.call(this);
  },
  string(_open, chars, _close) {
    const children = chars.children;
    const parts = children.map((c) => c["ast"]());
    const bytes = parts.flatMap((part, i) => children[i].sourceString.startsWith("\\x") ? [part.charCodeAt(0)] : [...utf8.encode(part)]);
    return { kind: "string", value: parts.join(""), bytes: Uint8Array.from(bytes), span: span(this) };
  },
  hexString(_open, chars, _close) {
    const text = chars.sourceString;
    const result = parsePattern(text);
    return { kind: "bytes", pattern: result.ok ? result.pattern : undefined, problem: result.ok ? undefined : result.problem, text, span: span(this) };
  },
  strChar_escaped(_backslash, escape) {
    return escape["ast"]();
  },
  strChar_plain(_char) {
    return this.sourceString;
  },
  escape_hex(_x, _h1, _h2) {
    return String.fromCharCode(parseInt(this.sourceString.slice(1), 16));
  },
  escape_single(_char) {
    return ESCAPES[this.sourceString] ?? this.sourceString;
  },
  ident(_start, _rest) {
    return { kind: "name", name: this.sourceString, span: span(this) };
  },
  _terminal() {
    return this.sourceString;
  }
});
export {
  parseWithOhm
};
