import fc from 'fast-check';
import { isCalendarDate, parseRfc3339DateTime, parseRfc3339Instant } from '../../src/common/rfc3339';

const instantOf = (raw: string) => parseRfc3339DateTime(raw)?.toISOString() ?? null;

describe('parseRfc3339DateTime', () => {
  describe('offsets', () => {
    it.each([
      ['2026-05-01T00:00:00Z', '2026-05-01T00:00:00.000Z'],
      ['2026-05-01t00:00:00z', '2026-05-01T00:00:00.000Z'],
      ['2026-05-01T00:00:00+00:00', '2026-05-01T00:00:00.000Z'],
      ['2026-05-01T00:00:00-00:00', '2026-05-01T00:00:00.000Z'],
      ['2026-05-01T02:00:00+02:00', '2026-05-01T00:00:00.000Z'],
      ['2026-04-30T19:30:00-04:30', '2026-05-01T00:00:00.000Z'],
      ['2026-05-01T00:00:00+23:59', '2026-04-30T00:01:00.000Z'],
      ['2026-05-01T00:00:00-23:59', '2026-05-01T23:59:00.000Z'],
      ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00.000Z'],
    ])('reads %s as the instant %s', (raw, instant) => {
      expect(instantOf(raw)).toBe(instant);
    });
  });

  describe('fractions of a second', () => {
    it.each([
      ['.5', '2026-05-01T00:00:00.500Z'],
      ['.12', '2026-05-01T00:00:00.120Z'],
      ['.999', '2026-05-01T00:00:00.999Z'],
      ['.1230', '2026-05-01T00:00:00.123Z'],
      ['.000000000', '2026-05-01T00:00:00.000Z'],
    ])('keeps %s to the millisecond when nothing finer is set', (fraction, instant) => {
      expect(instantOf(`2026-05-01T00:00:00${fraction}Z`)).toBe(instant);
    });

    // Stored timestamps have millisecond precision: rounding down would move a window bound earlier.
    it.each([
      ['.0001', '2026-05-01T00:00:00.001Z'],
      ['.000000001', '2026-05-01T00:00:00.001Z'],
      ['.1234', '2026-05-01T00:00:00.124Z'],
      ['.123456789', '2026-05-01T00:00:00.124Z'],
      ['.9991', '2026-05-01T00:00:01.000Z'],
    ])('rounds a sub-millisecond fraction %s up to the next millisecond', (fraction, instant) => {
      expect(instantOf(`2026-05-01T00:00:00${fraction}Z`)).toBe(instant);
    });

    it('carries a rounded-up fraction across day, month and year', () => {
      expect(instantOf('2026-12-31T23:59:59.9999Z')).toBe('2027-01-01T00:00:00.000Z');
    });

    it.each(['2026-05-01T00:00:00.Z', '2026-05-01T00:00:00.1234567890Z', '2026-05-01T00:00:00,5Z'])('rejects the fraction of %s', (raw) => {
      expect(parseRfc3339DateTime(raw)).toBeNull();
    });
  });

  describe('calendar', () => {
    it.each(['2024-02-29T12:00:00Z', '2000-02-29T12:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z'])('accepts the real date %s', (raw) => {
      expect(instantOf(raw)).toBe(new Date(raw).toISOString());
    });

    it.each([
      '1900-02-29T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-05-00T00:00:00Z',
    ])('rejects the date that does not exist in %s', (raw) => {
      expect(parseRfc3339DateTime(raw)).toBeNull();
    });
  });

  it.each([
    ['no offset', '2026-05-01T00:00:00'],
    ['a date only', '2026-05-01'],
    ['hour 24', '2026-05-01T24:00:00Z'],
    ['minute 60', '2026-05-01T00:60:00Z'],
    ['second 60 (a leap second)', '2026-06-30T23:59:60Z'],
    ['offset hours 24', '2026-05-01T00:00:00+24:00'],
    ['offset minutes 60', '2026-05-01T00:00:00+01:60'],
    ['an offset without a colon', '2026-05-01T00:00:00+0200'],
    ['a one-digit offset hour', '2026-05-01T00:00:00+2:00'],
    ['Z and an offset', '2026-05-01T00:00:00Z+02:00'],
    ['a space instead of T', '2026-05-01 00:00:00Z'],
    ['no seconds', '2026-05-01T00:00Z'],
    ['one-digit fields', '2026-5-1T0:0:0Z'],
    ['a two-digit year', '26-05-01T00:00:00Z'],
    ['a five-digit year', '12026-05-01T00:00:00Z'],
    ['surrounding spaces', ' 2026-05-01T00:00:00Z '],
    ['a trailing newline', '2026-05-01T00:00:00Z\n'],
    ['the empty string', ''],
  ])('rejects %s', (_, raw) => {
    expect(parseRfc3339DateTime(raw)).toBeNull();
  });

  describe('for any instant from year 1 to 9999', () => {
    const twoDigits = (n: number) => String(n).padStart(2, '0');

    /** The same instant as local time at `offsetMinutes` east of UTC, e.g. `…T02:00:00.000+02:00`. */
    function formatWithOffset(instant: Date, offsetMinutes: number): string {
      const local = new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const magnitude = Math.abs(offsetMinutes);
      return `${local}${sign}${twoDigits(Math.floor(magnitude / 60))}:${twoDigits(magnitude % 60)}`;
    }

    it('round-trips toISOString() and any ±hh:mm rendering of it to the same instant', () => {
      const instants = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
      const offsets = fc.record({ sign: fc.constantFrom(1, -1), hours: fc.integer({ min: 0, max: 23 }), minutes: fc.integer({ min: 0, max: 59 }) });

      fc.assert(
        fc.property(instants, offsets, (instant, { sign, hours, minutes }) => {
          expect(parseRfc3339DateTime(instant.toISOString())?.getTime()).toBe(instant.getTime());
          const rendered = formatWithOffset(instant, sign * (hours * 60 + minutes));
          // Near 9999-12-31 a positive offset reaches year 10000, which RFC 3339 cannot write.
          if (!rendered.startsWith('+')) expect(parseRfc3339DateTime(rendered)?.getTime()).toBe(instant.getTime());
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('isCalendarDate', () => {
  it.each(['1970-01-01', '2024-02-29', '2000-02-29', '2026-12-31', '0001-01-01'])('accepts the real date %s', (raw) => {
    expect(isCalendarDate(raw)).toBe(true);
  });

  it.each(['1900-02-29', '2023-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-05-00', '2026-5-1', '2026-05-01T00:00:00Z', ' 2026-05-01', ''])('rejects %s', (raw) => {
    expect(isCalendarDate(raw)).toBe(false);
  });
});

describe('Rfc3339Instant', () => {
  const instant = (raw: string) => {
    const parsed = parseRfc3339Instant(raw);
    if (!parsed) throw new Error(`not an instant: ${raw}`);
    return parsed;
  };

  it('orders instants that fall in the same millisecond by their sub-millisecond part', () => {
    expect(instant('2026-05-01T00:00:00.0001Z').isBefore(instant('2026-05-01T00:00:00.001Z'))).toBe(true);
    expect(instant('2026-05-01T00:00:00.001Z').isBefore(instant('2026-05-01T00:00:00.0001Z'))).toBe(false);
    expect(instant('2026-05-01T00:00:00.000000001Z').isBefore(instant('2026-05-01T00:00:00.000000002Z'))).toBe(true);
  });

  it('is not before an equal instant written with another offset', () => {
    const a = instant('2026-05-01T02:00:00.5+02:00');
    const b = instant('2026-05-01T00:00:00.500Z');
    expect(a.isBefore(b) || b.isBefore(a)).toBe(false);
  });

  it('rounds up to the millisecond only when there is a sub-millisecond part', () => {
    expect(instant('2026-05-01T00:00:00.0001Z').toDateRoundedUp().toISOString()).toBe('2026-05-01T00:00:00.001Z');
    expect(instant('2026-05-01T00:00:00.001000Z').toDateRoundedUp().toISOString()).toBe('2026-05-01T00:00:00.001Z');
  });
});
