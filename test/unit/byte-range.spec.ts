import fc from 'fast-check';
import { parseByteRange } from '../../src/recordings/byte-range';

const SIZE = 1000;

/** RFC 9110 §14: what a media URL answers each Range with (docs/api.md "Audio URLs"). */
describe('parseByteRange', () => {
  it.each([
    ['bytes=10-19', { start: 10, end: 19 }],
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['bytes=500-', { start: 500, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-1000', { start: 0, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['BYTES=1-2', { start: 1, end: 2 }],
  ])('%s: that range', (header, range) => {
    expect(parseByteRange(header, SIZE)).toEqual(range);
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=-0'])('%s: unsatisfiable (416)', (header) => {
    expect(parseByteRange(header, SIZE)).toBe('unsatisfiable');
  });

  it('finds nothing to send of an empty recording', () => {
    expect(parseByteRange('bytes=-10', 0)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=0-', 0)).toBe('unsatisfiable');
  });

  it.each([
    ['an end before its start', 'bytes=5-2'],
    ['several ranges', 'bytes=0-5,6-10'],
    ['several ranges, one past the end', 'bytes=0-5,999999999-'],
    ['another unit', 'items=0-5'],
    ['no range', 'bytes='],
    ['a malformed one', 'bytes=abc'],
    ['a negative start', 'bytes=-5-10'],
  ])('%s: ignored, the whole recording (200)', (_name, header) => {
    expect(parseByteRange(header, SIZE)).toBeNull();
  });

  it('gives a range inside the recording whenever it gives one', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(20_000), fc.option(fc.nat(20_000)), (size, first, last) => {
        const range = parseByteRange(`bytes=${first}-${last ?? ''}`, size);
        if (range === null || range === 'unsatisfiable') return;
        expect(range.start).toBeGreaterThanOrEqual(0);
        expect(range.start).toBeLessThanOrEqual(range.end);
        expect(range.end).toBeLessThan(size);
      }),
    );
  });
});
