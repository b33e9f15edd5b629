// Every construct of the language, written every way the grammar allows: the
// fast parser must build Ohm's tree for each (test/dsl/fast-parse.test.ts), and
// the editors' grammar must tokenise each (test/editors.test.ts).
export const EVERY_CONSTRUCT: readonly string[] = [
  'param p: ptr = 0x10; param n: u32\nparam f: f64 = 0.25\nparam hits: list = [1, 2,]',
  'let a = read u32be at [p + 8] + 4 # comment\r\nprint "x\\n\\x41\\"", a ; emit a = -a',
  'let b = ((1 + 2) * 3) % 4 << 1 >> 2 & 3 | 4 ^ 5\nlet c = ~-~1\nlet d = x.start + module("m").size\nlet e = hits [0] + f(1, (2), g())',
  'if a > 1 && !(b == 2) || c != 3 { print 1 } else if a <= 2 { print 2 } else { print 3 }',
  'for i in 0..n limit 4 {\n  if i == 2 { break }\n}\nfor h in scan u32 1000 in all perms "r-x" align 4 limit 3 unique limit 5 { print h }',
  'while p != 0 limit 10 {\n  p = [p]\n}\nwhile true { break }\nlet t = false',
  'let l = []\nlet m = [a,]\nlet k = [a == 1, b, (c)]\nlet s = "a" + hex(255)',
  'write u32 at p = n + 1\nwrite bytes at p = "hello\\0"\nwrite cstring max 8 at p = "x"\nwrite bytes 4 at p = hex"00 01 02 03"',
  'dump p, 64\nassert n == 1000, "counter moved"\nassert true',
  'patch at fn expect hex"8b 05 ?? ?? ?? ?? 3d" with hex"b8 01 00 00 00 c3"\npatch "unlock" freeze {\n  at fn expect hex"8b 05 ?? ?? ?? ??" with hex"b8 01 00 00 00 c3"\n\n  at counter expect u32 1000 with u32 0xC0FFEE\n}',
  'let w = scan utf16 "secret" in module("app") perms "rw"\nlet v = scan (read bytes 4 at p) in range(p, 0x1000)\nlet r = read cstring max 16 at p\nlet q = read utf16 8 at p\nlet u = read bytes n at p',
  '\n\n;;  # only a comment\n  let   spaced   =   1   \t # trailing\n\n',
  'let letter = 1\nletter = 2\nlet forward = letter\nlet utf16x = 1',
  'hits = narrow hits u32 == 90\nlet f = narrow hits f32 != 1.5 within 0.01\nlet g = narrow scan u32 1 in all u32 between 1 and n + 1\nlet h = narrow hits[0] i64 decreased',
  'let a = narrow [p, q] u8 changed\nlet b = len(narrow hits u16be unchanged) > 0\nfor x in narrow hits ptr increased { print x }\nlet c = narrow (hits) u32 <= 5\nlet d = narrow scan hex"?? ?? ?? ??" in region("[heap]") align 4 u32 any',
  'struct Player { name: char[16]; level: u32 at 16\n  next: Player*, pos: f32[3] }\nstruct H packed {\n\n  a: u8\n  b: u64;\n}\nunion U { a: u8; b: struct Player* }\nenum E : u8 { red, green = 4,\n  blue }\nenum F {}',
  'let p = [w + 8] as Player\nlet a = symbol("libc.so.6", "main_arena") as struct malloc_state\nlet n = x as PyObject from "python3.11"\nlet m = 1 + (x as u32) * 2 + y as u8\nlet q = (y as Player*[2]).next\nprint p.name, p.pos[2], -x as T as U',
  'emit s = sizeof(struct malloc_state) + sizeof(u32[4]) + sizeof(Player*)\nemit o = offsetof(Player, pos[2]) + offsetof(union U, b.next[0])\nwrite u32 at addressof(p.level) = 99\nlet struct = 1\nstruct = 2',
  'struct K { at: u32; limit: u8; read: ptr }\nprint o.read, o.write + offsetof(struct ops, in.limit), k.at[2].print',
  'emit s = sizeof(struct malloc_state from "libc.so.6") + offsetof(PyObject from "python3.11", ob_type)',
];
