import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { apiTimestampSql, toApiTimestamp } from '../../src/common/api-timestamp';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { loadAppConfig } from '../../src/config/load-app-config';
import { createTestDatabase, onTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The reads write timestamps in SQL (`apiTimestampSql`) as the rest of the service writes them
 * in JS (`toApiTimestamp`): the same text for any instant RFC 3339 can write, in whatever time
 * zone the session runs.
 */
describe('apiTimestampSql', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
    dataSource = new DataSource(dataSourceOptions(onTestDatabase(loadAppConfig(database.env), database).database));
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  /** PostgreSQL's text for each stored instant (given as microseconds since the epoch), in `timeZone`. */
  async function writtenBySql(epochMicroseconds: bigint[], timeZone: string): Promise<(string | null)[]> {
    return dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('TimeZone', $1, true)`, [timeZone]);
      const rows = await manager.query<{ written: string | null }[]>(
        `SELECT ${apiTimestampSql(`to_timestamp(0) + (micros || ' microseconds')::interval`)} AS written
           FROM unnest($1::bigint[]) WITH ORDINALITY AS stored(micros, position) ORDER BY position`,
        [epochMicroseconds.map(String)],
      );
      return rows.map((row) => row.written);
    });
  }

  /** What a JS Date read from the same instant gives: node-postgres keeps milliseconds, truncating microseconds. */
  const writtenByJs = (micros: bigint) => toApiTimestamp(new Date(Number(micros / 1000n - (micros % 1000n < 0n ? 1n : 0n))));

  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, in microseconds since the epoch. */
  const [EARLIEST, LATEST] = [-62_135_596_800_000_000n, 253_402_300_799_999_999n];

  it.each(['UTC', 'America/Los_Angeles', 'Asia/Tokyo'])('agrees with toApiTimestamp for any instant of years 0001-9999, in a %s session', async (timeZone) => {
    const micros = fc.sample(fc.bigInt({ min: EARLIEST, max: LATEST }), { numRuns: 400, seed: 23 });
    const whole = [0n, 1_000_000n, EARLIEST, LATEST, 1_779_717_600_000_000n, 1_779_717_600_250_000n, 1_779_717_600_000_999n, 1_779_717_600_999_999n];
    const all = [...whole, ...micros, ...micros.map((value) => (value / 1_000_000n) * 1_000_000n)];
    expect(await writtenBySql(all, timeZone)).toEqual(all.map(writtenByJs));
  });

  it('writes whole seconds without a fraction, and milliseconds as three digits, as the guide prints them', async () => {
    expect(await writtenBySql([1_779_717_600_000_000n, 1_779_717_600_250_000n, 1_779_717_600_000_999n], 'UTC')).toEqual([
      '2026-05-25T14:00:00Z',
      '2026-05-25T14:00:00.250Z',
      '2026-05-25T14:00:00Z',
    ]);
  });

  it('leaves NULL as NULL (an encounter without a date of service)', async () => {
    const [row] = await dataSource.query<{ written: string | null }[]>(`SELECT ${apiTimestampSql('NULL::timestamptz')} AS written`);
    expect(row.written).toBeNull();
  });
});
