import { RepeatedLogSampler, suppressedNote } from '../../src/common/repeated-log-sampler';

describe('RepeatedLogSampler', () => {
  it('logs an event the first time, then once per interval with how many were left out', () => {
    const sampler = new RepeatedLogSampler(10_000);
    expect(sampler.admit('db down', 0)).toBe(0);
    expect(sampler.admit('db down', 1_000)).toBeNull();
    expect(sampler.admit('db down', 9_999)).toBeNull();
    expect(sampler.admit('db down', 10_000)).toBe(2);
    expect(sampler.admit('db down', 10_001)).toBeNull();
  });

  it('samples each kind of event on its own', () => {
    const sampler = new RepeatedLogSampler(10_000);
    expect(sampler.admit('refused', 0)).toBe(0);
    expect(sampler.admit('timeout', 1)).toBe(0);
    expect(sampler.admit('refused', 2)).toBeNull();
  });

  it('says nothing of a first occurrence, and counts the others', () => {
    expect(suppressedNote(0)).toBe('');
    expect(suppressedNote(412)).toBe(' (412 more like it since the previous line, not logged)');
  });
});
