import { ApiError } from '../../common/api-error';
import { dateTimeParam, defineQuery, integerParam, oneOfParam, ParsedQuery } from '../../common/query/query-params';

export const MAX_LIST_OFFSET = 10_000;

/** Query params of `GET /external/v1/encounters`, checked in this order. */
export const ENCOUNTER_LIST_QUERY = defineQuery(
  {
    limit: integerParam({ min: 1, max: 100, fallback: 50, invalid: 'invalid_limit' }),
    offset: integerParam({ min: 0, max: MAX_LIST_OFFSET, fallback: 0, invalid: 'invalid_offset' }),
    sort_order: oneOfParam(['asc', 'desc'], { fallback: 'desc', invalid: 'invalid_sort' }),
    start_at: dateTimeParam({ invalid: 'invalid_query' }),
    end_at: dateTimeParam({ invalid: 'invalid_query' }),
  },
  // An empty or inverted window is a mistake, not a query: neither bound alone is at fault.
  ({ start_at, end_at }) => (start_at && end_at && !start_at.isBefore(end_at) ? new ApiError('invalid_query') : null),
);

export type EncounterListQuery = ParsedQuery<(typeof ENCOUNTER_LIST_QUERY)['params']>;
