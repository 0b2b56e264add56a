import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('keeps an entry until its time is up, and drops the oldest when full', () => {
    const cache = new TtlCache<string>(1000, 2);
    cache.set('a', 'A', 0);
    cache.set('b', 'B', 10);
    expect(cache.get('a', 999)).toBe('A');
    expect(cache.get('a', 1000)).toBeUndefined();
    cache.set('b', 'B2', 20); // re-setting a present key evicts nothing
    cache.set('c', 'C', 30);
    expect(cache.get('b', 30)).toBe('B2');
    expect(cache.get('c', 30)).toBe('C');
    cache.set('d', 'D', 40); // full: the oldest (b) goes
    expect(cache.get('b', 40)).toBeUndefined();
    expect(cache.get('d', 40)).toBe('D');
    cache.delete('d');
    expect(cache.get('d', 40)).toBeUndefined();
  });

  it('keeps nothing when its time to live is 0', () => {
    const cache = new TtlCache<number>(0);
    cache.set('a', 1, 0);
    expect(cache.get('a', 0)).toBeUndefined();
  });
});
