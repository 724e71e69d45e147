const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An instant as precise as RFC 3339 writes it (to the nanosecond), unlike a JS Date. */
export class Rfc3339Instant {
  constructor(
    readonly epochMilliseconds: number,
    /** 0-999,999: what a Date cannot hold. */
    readonly nanosecondsOfMillisecond: number,
  ) {}

  isBefore(other: Rfc3339Instant): boolean {
    return (
      this.epochMilliseconds < other.epochMilliseconds || (this.epochMilliseconds === other.epochMilliseconds && this.nanosecondsOfMillisecond < other.nanosecondsOfMillisecond)
    );
  }

  /**
   * The first millisecond at or after this instant. Stored timestamps have millisecond
   * precision, so for any stored `t`: `t >= this` ⇔ `t >= rounded up`, and likewise for `<`.
   */
  toDateRoundedUp(): Date {
    return new Date(this.epochMilliseconds + (this.nanosecondsOfMillisecond > 0 ? 1 : 0));
  }
}

/**
 * Parses `2026-05-01T00:00:00Z` or `2026-05-01T02:00:00.5+02:00`; null when the text is not
 * an RFC 3339 date-time with an explicit offset or names no real instant (Feb 30, 24:00,
 * leap second 60).
 */
export function parseRfc3339Instant(raw: string): Rfc3339Instant | null {
  const match = RFC3339_DATE_TIME.exec(raw);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const fraction = (match[7] ?? '').padEnd(9, '0');
  const [sign, offsetHours, offsetMinutes] = [match[9], Number(match[10] ?? 0), Number(match[11] ?? 0)];

  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;

  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3)));
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign === '-' ? -1 : 1);
  return new Rfc3339Instant(date.getTime() - offsetMs, Number(fraction.slice(3)));
}

/** `parseRfc3339Instant`, rounded up to the millisecond precision of stored timestamps. */
export function parseRfc3339DateTime(raw: string): Date | null {
  return parseRfc3339Instant(raw)?.toDateRoundedUp() ?? null;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real `YYYY-MM-DD` calendar date (leap days included). */
export function isCalendarDate(raw: string): boolean {
  const match = CALENDAR_DATE.exec(raw);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
