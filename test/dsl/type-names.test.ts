import { describe, expect, it } from 'vitest';
import { TYPE_NAMES, typeNameHint } from '../../src/dsl/types.ts';
import { diagnosticsOf } from '../helpers/errors.ts';

describe('a type name that does not exist', () => {
  it('suggests the sizes that exist around a size that does not, not the closest spelling', () => {
    expect(typeNameHint('u24', TYPE_NAMES)).toBe("did you mean 'u16' or 'u32'? (the integers are 8, 16, 32 and 64 bits)");
    expect(typeNameHint('i12', TYPE_NAMES)).toMatch(/^did you mean 'i8' or 'i16'\?/);
    expect(typeNameHint('u128', TYPE_NAMES)).toMatch(/^did you mean 'u64'\?/);
    expect(typeNameHint('u4', TYPE_NAMES)).toMatch(/^did you mean 'u8'\?/);
    expect(typeNameHint('f16', TYPE_NAMES)).toBe("did you mean 'f32'? (the floats are 32 and 64 bits)");
    expect(typeNameHint('f128', TYPE_NAMES)).toMatch(/^did you mean 'f64'\?/);
    expect(typeNameHint('u24be', TYPE_NAMES)).toMatch(/^did you mean 'u16be' or 'u32be'\?/);
    // There is no i8be: the byte order of one byte is no question.
    expect(typeNameHint('i12be', TYPE_NAMES)).toMatch(/^did you mean 'i16be'\?/);
    expect(typeNameHint('u8be', TYPE_NAMES)).toBe("did you mean 'u8'? (a byte has no byte order)");
  });

  it('suggests the closest spelling for any other name, and nothing when none is close', () => {
    expect(typeNameHint('u64x', TYPE_NAMES)).toBe("did you mean 'u64'?");
    expect(typeNameHint('cstrng', TYPE_NAMES)).toBe("did you mean 'cstring'?");
    expect(typeNameHint('whatever', TYPE_NAMES)).toBeUndefined();
    // A shortening of a name before a name one letter away.
    expect(typeNameHint('cstr', TYPE_NAMES)).toBe("did you mean 'cstring'?");
  });

  it("is a param's type among a param's types: string for str", () => {
    expect(diagnosticsOf('param s: str')).toContain("unknown type 'str' for a param (expected an integer type such as u32 or i64, ptr, f32, f64, string or list)");
    expect(diagnosticsOf('param s: str')).toContain("hint: did you mean 'string'?");
    expect(diagnosticsOf('param h: lst')).toContain("hint: did you mean 'list'?");
  });

  it('is what a read and a typed reference say', () => {
    expect(diagnosticsOf('let x = read u24 at 0x1000')).toContain("hint: did you mean 'u16' or 'u32'?");
    expect(diagnosticsOf('let x = 0x1000 as u128*\nprint x')).toContain("hint: did you mean 'u64'?");
    // A tagged name is one the recipe declares, never a base type's size.
    expect(diagnosticsOf('struct Player { hp: u32 }\nlet x = 0x1000 as struct u24*\nprint x')).not.toContain("'u16'");
    expect(diagnosticsOf('struct Player { hp: u32 }\nlet x = 0x1000 as struct Playr*\nprint x')).toContain("hint: did you mean 'Player'?");
  });
});
