import { describe, expect, it } from 'vitest';
import { badTextPath, isBadText } from './text-input.js';

describe('isBadText', () => {
  it('refuses NUL and lone surrogates, accepts every other text', () => {
    expect(isBadText('a\u0000b')).toBe(true);
    expect(isBadText('a\ud800b')).toBe(true);
    expect(isBadText('\udc00')).toBe(true);
    expect(isBadText('Ionescu SRL 😀 ăîșț')).toBe(false);
    expect(isBadText('')).toBe(false);
  });
});

describe('badTextPath', () => {
  it('names the first bad string by its dotted path, keys included', () => {
    expect(badTextPath({ a: 'ok', b: { c: ['x', 'y\u0000'] } })).toBe('b.c.1');
    expect(badTextPath({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(badTextPath('\ud83d')).toBe('');
    expect(badTextPath({ a: 1, b: null, c: true, d: ['ok'] })).toBeUndefined();
    expect(badTextPath(undefined)).toBeUndefined();
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(badTextPath(deep)?.split('.').length).toBe(100_000);
  });
});
