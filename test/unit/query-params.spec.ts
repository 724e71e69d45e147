import { parseRfc3339Instant } from '../../src/common/rfc3339';
import { ApiError } from '../../src/common/api-error';
import { parseQuery, rawQueryOf } from '../../src/common/query/parse-query';
import { NO_QUERY, QuerySpec } from '../../src/common/query/query-params';
import { ENCOUNTER_LIST_QUERY } from '../../src/encounters/dto/encounter-list.query';

const list = (query: string) => parseQuery(ENCOUNTER_LIST_QUERY, rawQueryOf(`/external/v1/encounters?${query}`));

/** The ApiError `query` is rejected with, as `{ reasonCode, field }` (field null like the error body). */
function rejectionOf(query: string, spec: QuerySpec = ENCOUNTER_LIST_QUERY): { reasonCode: string; field: string | null } {
  try {
    parseQuery(spec, rawQueryOf(`/some/path?${query}`));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { reasonCode: error.reasonCode, field: error.details.field ?? null };
  }
  throw new Error(`expected "${query}" to be rejected, but it was accepted`);
}

describe('rawQueryOf', () => {
  it('keeps keys case-sensitive, repeated and in the order sent', () => {
    expect([...rawQueryOf('/external/v1/encounters?LIMIT=1&limit=2&limit=3&a=')]).toEqual([
      ['LIMIT', '1'],
      ['limit', '2'],
      ['limit', '3'],
      ['a', ''],
    ]);
  });

  it('is empty when the URL has no query string', () => {
    expect([...rawQueryOf('/external/v1/encounters')]).toEqual([]);
  });
});

describe('the list query (ENCOUNTER_LIST_QUERY)', () => {
  it('defaults to limit 50, offset 0, sort desc and no date window', () => {
    expect(list('')).toEqual({ limit: 50, offset: 0, sort_order: 'desc', start_at: undefined, end_at: undefined });
  });

  it('reads every supported param', () => {
    expect(list('limit=100&offset=10000&sort_order=asc&start_at=2026-05-01T00:00:00Z&end_at=2026-05-02T00:00:00%2B02:00')).toEqual({
      limit: 100,
      offset: 10000,
      sort_order: 'asc',
      start_at: parseRfc3339Instant('2026-05-01T00:00:00Z'),
      end_at: parseRfc3339Instant('2026-05-01T22:00:00Z'),
    });
  });

  describe('unsupported keys', () => {
    it.each([
      ['an upper-case spelling of a supported key', 'LIMIT=1', 'LIMIT'],
      ['a bracketed array key', 'limit[]=1', 'limit[]'],
      ['an empty key', '=1', ''],
      ['an unknown key with an empty value', 'foo=', 'foo'],
      ['a key with different case', 'Sort_Order=asc', 'Sort_Order'],
    ])('rejects %s as unsupported_filter naming that key', (_, query, field) => {
      expect(rejectionOf(query)).toEqual({ reasonCode: 'unsupported_filter', field });
    });

    it('names the first unsupported key in the order sent, not alphabetically', () => {
      expect(rejectionOf('limit=10&zeta=1&alpha=2')).toEqual({ reasonCode: 'unsupported_filter', field: 'zeta' });
    });

    it('checks unsupported keys before any value, even when invalid values come first', () => {
      expect(rejectionOf('limit=0&offset=-1&sort_order=up&start_at=x&foo=1')).toEqual({ reasonCode: 'unsupported_filter', field: 'foo' });
    });
  });

  describe('value order', () => {
    it.each([
      ['limit before offset, sort_order and dates', 'start_at=x&sort_order=up&offset=-1&limit=0', 'invalid_limit', 'limit'],
      ['offset before sort_order and dates', 'end_at=x&start_at=x&sort_order=up&offset=-1', 'invalid_offset', 'offset'],
      ['sort_order before dates', 'end_at=x&start_at=x&sort_order=up', 'invalid_sort', 'sort_order'],
      ['start_at before end_at', 'end_at=x&start_at=x', 'invalid_query', 'start_at'],
    ])('checks %s, whatever the order sent', (_, query, reasonCode, field) => {
      expect(rejectionOf(query)).toEqual({ reasonCode, field });
    });

    it('names end_at when it alone is invalid', () => {
      expect(rejectionOf('start_at=2026-05-01T00:00:00Z&end_at=2026-05-02')).toEqual({ reasonCode: 'invalid_query', field: 'end_at' });
    });
  });

  describe('duplicate and empty values', () => {
    it.each([
      ['limit=1&limit=2', 'invalid_limit', 'limit'],
      ['limit=5&limit=5', 'invalid_limit', 'limit'],
      ['offset=0&offset=0', 'invalid_offset', 'offset'],
      ['sort_order=asc&sort_order=asc', 'invalid_sort', 'sort_order'],
      ['start_at=2026-05-01T00:00:00Z&start_at=2026-05-01T00:00:00Z', 'invalid_query', 'start_at'],
      ['end_at=2026-05-01T00:00:00Z&end_at=2026-05-02T00:00:00Z', 'invalid_query', 'end_at'],
    ])('rejects the key given twice (%s) with its own code', (query, reasonCode, field) => {
      expect(rejectionOf(query)).toEqual({ reasonCode, field });
    });

    it.each([
      ['limit=', 'invalid_limit', 'limit'],
      ['limit', 'invalid_limit', 'limit'],
      ['offset=', 'invalid_offset', 'offset'],
      ['sort_order=', 'invalid_sort', 'sort_order'],
      ['start_at=', 'invalid_query', 'start_at'],
      ['end_at=', 'invalid_query', 'end_at'],
    ])("rejects an empty value (%s) with the key's code", (query, reasonCode, field) => {
      expect(rejectionOf(query)).toEqual({ reasonCode, field });
    });
  });

  describe('limit and offset are canonical decimal integers in range', () => {
    it.each([
      ['1', 1],
      ['9', 9],
      ['10', 10],
      ['100', 100],
    ])('accepts limit=%s', (raw, value) => {
      expect(list(`limit=${raw}`).limit).toBe(value);
    });

    it.each(['0', '101', '01', '001', '+1', '%2B1', '-1', '1.0', '1e2', '0x10', ' 1', '1 ', '+', 'ten', '１', '99999999999999999999'])(
      'rejects limit=%s as invalid_limit',
      (raw) => {
        expect(rejectionOf(`limit=${raw}`)).toEqual({ reasonCode: 'invalid_limit', field: 'limit' });
      },
    );

    it.each([
      ['0', 0],
      ['1', 1],
      ['10000', 10000],
    ])('accepts offset=%s', (raw, value) => {
      expect(list(`offset=${raw}`).offset).toBe(value);
    });

    it.each(['10001', '00', '-0', '-1', '01', '1.5', '1e3', 'abc'])('rejects offset=%s as invalid_offset', (raw) => {
      expect(rejectionOf(`offset=${raw}`)).toEqual({ reasonCode: 'invalid_offset', field: 'offset' });
    });
  });

  describe('sort_order is exactly asc or desc', () => {
    it.each(['asc', 'desc'] as const)('accepts sort_order=%s', (value) => {
      expect(list(`sort_order=${value}`).sort_order).toBe(value);
    });

    it.each(['ASC', 'Desc', 'ascending', 'up', ' asc'])('rejects sort_order=%s as invalid_sort', (raw) => {
      expect(rejectionOf(`sort_order=${raw}`)).toEqual({ reasonCode: 'invalid_sort', field: 'sort_order' });
    });
  });

  describe('the date window', () => {
    it.each(['2026-05-01', '2026-05-01T00:00:00', '2026-05-01 00:00:00Z', '2026-02-30T00:00:00Z', 'yesterday'])('rejects start_at=%s as invalid_query', (raw) => {
      expect(rejectionOf(`start_at=${raw}`)).toEqual({ reasonCode: 'invalid_query', field: 'start_at' });
    });

    it('accepts start_at alone and end_at alone', () => {
      expect(list('start_at=2026-05-01T00:00:00Z')).toMatchObject({ start_at: parseRfc3339Instant('2026-05-01T00:00:00Z'), end_at: undefined });
      expect(list('end_at=2026-05-01T00:00:00Z')).toMatchObject({ start_at: undefined, end_at: parseRfc3339Instant('2026-05-01T00:00:00Z') });
    });

    it('accepts start_at strictly before end_at', () => {
      expect(list('start_at=2026-05-01T00:00:00Z&end_at=2026-05-01T00:00:00.001Z')).toMatchObject({
        start_at: parseRfc3339Instant('2026-05-01T00:00:00.000Z'),
        end_at: parseRfc3339Instant('2026-05-01T00:00:00.001Z'),
      });
    });

    it.each([
      ['equal to', 'start_at=2026-05-01T00:00:00Z&end_at=2026-05-01T00:00:00Z'],
      ['the same instant written with another offset as', 'start_at=2026-05-01T02:00:00%2B02:00&end_at=2026-05-01T00:00:00Z'],
      ['after', 'start_at=2026-05-02T00:00:00Z&end_at=2026-05-01T00:00:00Z'],
    ])('rejects start_at %s end_at as invalid_query with no field', (_, query) => {
      expect(rejectionOf(query)).toEqual({ reasonCode: 'invalid_query', field: null });
    });
  });
});

describe('routes without query params (NO_QUERY)', () => {
  it('accepts an empty query', () => {
    expect(parseQuery(NO_QUERY, rawQueryOf('/external/v1/encounters/enc_1'))).toEqual({});
  });

  it.each([
    ['limit=1', 'limit'],
    ['foo=', 'foo'],
    ['=', ''],
    ['x=1&limit=2', 'x'],
  ])('rejects any key (%s) as unsupported_filter naming the first', (query, field) => {
    expect(rejectionOf(query, NO_QUERY)).toEqual({ reasonCode: 'unsupported_filter', field });
  });
});
