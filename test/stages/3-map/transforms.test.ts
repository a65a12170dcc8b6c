import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { compileTransforms, TRANSFORMS } from '../../../src/stages/3-map/transforms.js';

describe('transforms', () => {
  it('each transform does its one thing', () => {
    expect(TRANSFORMS.trim('  a b  ')).toBe('a b');
    expect(TRANSFORMS.lower('ÀbC')).toBe('àbc');
    expect(TRANSFORMS.upper('nl')).toBe('NL');
    expect(TRANSFORMS.collapse('  a \t\n b   c ')).toBe('a b c');
  });

  it('composes in the given order', () => {
    expect(compileTransforms(['collapse', 'upper'])('  ab   cd ')).toBe('AB CD');
    expect(compileTransforms(['trim', 'lower'])(' A@B.NL ')).toBe('a@b.nl');
  });

  it('rejects unknown names with a ConfigError naming where', () => {
    expect(() => compileTransforms(['trim', 'uppr'], 'mapping.country')).toThrow(ConfigError);
    expect(() => compileTransforms(['uppr'], 'mapping.country')).toThrow('mapping.country: unknown transform "uppr"');
    expect(() => compileTransforms(['toString'], 'x')).toThrow('unknown transform "toString"');
  });
});
