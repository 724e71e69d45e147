import { TtlCache } from '../../src/common/ttl-cache';

describe('TtlCache', () => {
  it('returns a value until its TTL has passed, then forgets it', () => {
    const cache = new TtlCache<string, number>(1_000, 10);
    cache.set('a', 1, 0);
    expect(cache.get('a', 999)).toBe(1);
    expect(cache.get('a', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never holds more than maxEntries, dropping the oldest first', () => {
    const cache = new TtlCache<string, number>(1_000, 2);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('c', 3, 0);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([undefined, 2, 3]);
    expect(cache.size).toBe(2);
  });

  it('treats a re-set key as the newest and restarts its TTL', () => {
    const cache = new TtlCache<string, number>(1_000, 2);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('a', 10, 500);
    cache.set('c', 3, 500);
    expect([cache.get('a', 1_400), cache.get('b', 600), cache.get('c', 600)]).toEqual([10, undefined, 3]);
  });

  it('deletes the entries a predicate matches', () => {
    const cache = new TtlCache<string, { keyId: string }>(1_000, 10);
    cache.set('digest-1', { keyId: 'key_1' }, 0);
    cache.set('digest-2', { keyId: 'key_2' }, 0);
    cache.deleteWhere((value) => value.keyId === 'key_1');
    expect([cache.get('digest-1', 1), cache.get('digest-2', 1)]).toEqual([undefined, { keyId: 'key_2' }]);
  });
});
