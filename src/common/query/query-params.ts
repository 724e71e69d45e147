import type { ApiError } from '../api-error';
import type { ReasonCode } from '../reason-codes';

/** One supported query parameter of a route: how to read it, its default, its error code. */
export interface QueryParam<T> {
  /** Reason code when the value is invalid, empty, or given more than once. */
  readonly invalid: ReasonCode;
  /** The value, or null when `raw` is not valid. */
  parse(raw: string): T | null;
  /** The value when the parameter is absent. */
  readonly fallback: T;
}

export type QueryParams = Record<string, QueryParam<unknown>>;

export type ParsedQuery<P extends QueryParams> = { [K in keyof P]: P[K] extends QueryParam<infer T> ? T : never };

/**
 * A route's whole query: its parameters, checked in the order they are listed, then an
 * optional check across them. Keys not listed are `unsupported_filter`.
 */
export interface QuerySpec<P extends QueryParams = QueryParams> {
  readonly params: P;
  // Method syntax on purpose: a spec of specific params is usable where any spec is expected.
  check?(query: ParsedQuery<P>): ApiError | null;
}

export function defineQuery<P extends QueryParams>(params: P, check?: QuerySpec<P>['check']): QuerySpec<P> {
  return { params, check };
}

/** Routes that take no query parameter at all. */
export const NO_QUERY = defineQuery({});
export type NoQuery = ParsedQuery<(typeof NO_QUERY)['params']>;

const CANONICAL_INTEGER = /^(?:0|[1-9][0-9]{0,8})$/;

/** A canonical decimal integer (digits only, no sign, no leading zero) within [min, max]. */
export function integerParam(options: { min: number; max: number; fallback: number; invalid: ReasonCode }): QueryParam<number> {
  return {
    invalid: options.invalid,
    fallback: options.fallback,
    parse(raw) {
      if (!CANONICAL_INTEGER.test(raw)) return null;
      const value = Number(raw);
      return value >= options.min && value <= options.max ? value : null;
    },
  };
}

/** Exactly one of `values` (case-sensitive). */
export function oneOfParam<const V extends string>(values: readonly V[], options: { fallback: V; invalid: ReasonCode }): QueryParam<V> {
  return {
    invalid: options.invalid,
    fallback: options.fallback,
    parse: (raw) => ((values as readonly string[]).includes(raw) ? (raw as V) : null),
  };
}

/** An RFC 3339 date-time with an explicit offset (see `parseRfc3339DateTime`); absent by default. */
export function dateTimeParam(options: { invalid: ReasonCode }): QueryParam<Date | undefined> {
  return { invalid: options.invalid, fallback: undefined, parse: parseRfc3339DateTime };
}

const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses `2026-05-01T00:00:00Z` or `2026-05-01T02:00:00.5+02:00`; null when the text is not
 * an RFC 3339 date-time with an explicit offset or names no real instant (Feb 30, 24:00,
 * leap second 60). Sub-millisecond fractions round up to the next millisecond: stored
 * timestamps have millisecond precision, so the window bounds keep their exact meaning.
 */
export function parseRfc3339DateTime(raw: string): Date | null {
  const match = RFC3339_DATE_TIME.exec(raw);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const fraction = match[7] ?? '';
  const [sign, offsetHours, offsetMinutes] = [match[9], Number(match[10] ?? 0), Number(match[11] ?? 0)];

  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;

  const millis = Number(fraction.padEnd(3, '0').slice(0, 3)) + (/[1-9]/.test(fraction.slice(3)) ? 1 : 0);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign === '-' ? -1 : 1);
  return new Date(date.getTime() - offsetMs);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}
