import { ApiError } from '../api-error';
import { ParsedQuery, QueryParams, QuerySpec } from './query-params';

/**
 * Validates a raw query string against a route's `QuerySpec`: unsupported keys first (the
 * first one, in the caller's order, is named), then each supported value in spec order,
 * then the spec's own cross-parameter check.
 */
export function parseQuery<P extends QueryParams>(spec: QuerySpec<P>, search: URLSearchParams): ParsedQuery<P> {
  for (const key of search.keys()) {
    if (!Object.hasOwn(spec.params, key)) throw new ApiError('unsupported_filter', { field: key });
  }

  const parsed: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(spec.params)) {
    const values = search.getAll(name);
    if (values.length === 0) {
      parsed[name] = param.fallback;
      continue;
    }
    const value = values.length === 1 && values[0] !== '' ? param.parse(values[0]) : null;
    if (value === null) throw new ApiError(param.invalid, { field: name });
    parsed[name] = value;
  }

  const query = parsed as ParsedQuery<P>;
  const failure = spec.check?.(query);
  if (failure) throw failure;
  return query;
}

/** The query string exactly as sent: keys stay case-sensitive, repeated and in order. */
export function rawQueryOf(url: string): URLSearchParams {
  const start = url.indexOf('?');
  return new URLSearchParams(start === -1 ? '' : url.slice(start + 1));
}
