import { Injectable, PipeTransform } from '@nestjs/common';
import { parseQuery } from './parse-query';
import { QuerySpec } from './query-params';

/** A query string not yet checked, with the spec of the route it was sent to. */
export interface UnvalidatedQuery {
  readonly spec: QuerySpec;
  readonly search: URLSearchParams;
}

/**
 * The one pipe that rejects unsupported or invalid query params (`unsupported_filter`,
 * `invalid_*`). Pipes run after every guard, so query validation always comes after
 * authentication, partner enablement and scopes, as the contract orders.
 */
@Injectable()
export class QueryParamsPipe implements PipeTransform {
  transform<T extends { query: UnvalidatedQuery }>(value: T): Omit<T, 'query'> & { query: unknown } {
    return { ...value, query: parseQuery(value.query.spec, value.query.search) };
  }
}
