import { ApiError } from '../../common/api-error';
import { dateTimeParam, defineQuery, integerParam, oneOfParam, ParsedQuery } from '../../common/query/query-params';

export const MAX_LIST_OFFSET = 10_000;

/** Query params of `GET /external/v1/encounters`, checked in this order. */
export const ENCOUNTER_LIST_QUERY = defineQuery(
  {
    limit: integerParam({ min: 1, max: 100, fallback: 50, invalid: 'invalid_limit', description: 'Page size: a canonical decimal integer.' }),
    offset: integerParam({
      min: 0,
      max: MAX_LIST_OFFSET,
      fallback: 0,
      invalid: 'invalid_offset',
      description: 'Encounters to skip. Deeper than 10000, narrow the window with start_at/end_at instead.',
    }),
    sort_order: oneOfParam(['asc', 'desc'], {
      fallback: 'desc',
      invalid: 'invalid_sort',
      description: 'Order by created_at, then encounter_id, both in this direction.',
    }),
    start_at: dateTimeParam({
      invalid: 'invalid_query',
      description: 'Only encounters created at or after this instant. RFC 3339 with an offset (Z or ±hh:mm).',
    }),
    end_at: dateTimeParam({
      invalid: 'invalid_query',
      description: 'Only encounters created before this instant. RFC 3339 with an offset; after start_at.',
    }),
  },
  // An empty or inverted window is a mistake, not a query: neither bound alone is at fault.
  ({ start_at, end_at }) => (start_at && end_at && !start_at.isBefore(end_at) ? new ApiError('invalid_query') : null),
);

export type EncounterListQuery = ParsedQuery<(typeof ENCOUNTER_LIST_QUERY)['params']>;
