import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../src/common/database-unavailable';

/** Which errors are answered 503 (retry later) rather than 500 (docs/api.md "Errors"). */
describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a session the server ended (57P01), wrapped by TypeORM', new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection'), { code: '57P01' }))],
    ['a statement cancelled by its timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })],
    ['a silent connection given up on', new Error('Query read timeout')],
    ['a query runner TypeORM released when its connection failed', new QueryRunnerAlreadyReleasedError()],
  ])('%s: unavailable', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a syntax error', Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'boom'],
  ])('%s: a bug, not an outage', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
