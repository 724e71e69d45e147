import { TtlCache } from '../../src/common/ttl-cache';
import { TestClock } from '../support/test-clock';

describe('TtlCache', () => {
  const clockAt = (start: number) => new TestClock().freeze(start);

  it('returns a value until its TTL has passed, then forgets it', () => {
    const clock = clockAt(0);
    const cache = new TtlCache<string, number>(1_000, 10, clock);
    cache.set('a', 1);
    clock.advance(999);
    expect(cache.get('a')).toBe(1);
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never holds more than maxEntries, dropping the oldest first', () => {
    const cache = new TtlCache<string, number>(1_000, 2, clockAt(0));
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
    expect(cache.size).toBe(2);
  });

  it('treats a re-set key as the newest and restarts its TTL', () => {
    const clock = clockAt(0);
    const cache = new TtlCache<string, number>(1_000, 2, clock);
    cache.set('a', 1);
    cache.set('b', 2);
    clock.advance(500);
    cache.set('a', 10);
    cache.set('c', 3);
    expect([cache.get('b'), cache.get('c')]).toEqual([undefined, 3]);
    clock.advance(900);
    expect(cache.get('a')).toBe(10);
  });

  it('deletes the entries a predicate matches', () => {
    const cache = new TtlCache<string, { keyId: string }>(1_000, 10, clockAt(0));
    cache.set('digest-1', { keyId: 'key_1' });
    cache.set('digest-2', { keyId: 'key_2' });
    cache.deleteWhere((value) => value.keyId === 'key_1');
    expect([cache.get('digest-1'), cache.get('digest-2')]).toEqual([undefined, { keyId: 'key_2' }]);
  });
});
