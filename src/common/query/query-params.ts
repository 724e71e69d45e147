import type { SchemaObject } from '@nestjs/swagger';
import type { ApiError } from '../api-error';
import type { ReasonCode } from '../reason-codes';
import { parseRfc3339Instant, Rfc3339Instant } from '../rfc3339';

/** One supported query parameter of a route: how to read it, its default, its error code. */
export interface QueryParam<T> {
  /** Reason code when the value is invalid, empty, or given more than once. */
  readonly invalid: ReasonCode;
  /** The value, or null when `raw` is not valid. */
  parse(raw: string): T | null;
  /** The value when the parameter is absent. */
  readonly fallback: T;
  /** How the OpenAPI description presents it. */
  readonly openApi: { readonly description: string; readonly schema: SchemaObject };
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
export function integerParam(options: { min: number; max: number; fallback: number; invalid: ReasonCode; description: string }): QueryParam<number> {
  return {
    invalid: options.invalid,
    fallback: options.fallback,
    openApi: {
      description: options.description,
      schema: { type: 'integer', minimum: options.min, maximum: options.max, default: options.fallback },
    },
    parse(raw) {
      if (!CANONICAL_INTEGER.test(raw)) return null;
      const value = Number(raw);
      return value >= options.min && value <= options.max ? value : null;
    },
  };
}

/** Exactly one of `values` (case-sensitive). */
export function oneOfParam<const V extends string>(values: readonly V[], options: { fallback: V; invalid: ReasonCode; description: string }): QueryParam<V> {
  return {
    invalid: options.invalid,
    fallback: options.fallback,
    openApi: { description: options.description, schema: { type: 'string', enum: [...values], default: options.fallback } },
    parse: (raw) => ((values as readonly string[]).includes(raw) ? (raw as V) : null),
  };
}

/** An RFC 3339 date-time with an explicit offset (see `parseRfc3339Instant`); absent by default. */
export function dateTimeParam(options: { invalid: ReasonCode; description: string }): QueryParam<Rfc3339Instant | undefined> {
  return {
    invalid: options.invalid,
    fallback: undefined,
    parse: parseRfc3339Instant,
    openApi: { description: options.description, schema: { type: 'string', format: 'date-time' } },
  };
}
