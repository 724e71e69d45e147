import pg from 'pg';
import { Secret } from '../../src/config/secret';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { NODE_POSTGRES } from '../../src/database/node-postgres';
import { describeWith } from '../support/services';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('node-postgres as TypeORM gets it', () => {
  it('is the driver of the PostgreSQL data source (the embedded database has its own)', () => {
    const options = dataSourceOptions({
      kind: 'postgres',
      url: new Secret('postgres://user@db.invalid/app'),
      poolSize: 1,
      statementTimeoutMs: 1_000,
      replicaUrls: [],
      replicaMaxLagMs: 1_000,
    });
    expect(options).toMatchObject({ type: 'postgres', driver: NODE_POSTGRES });
  });

  it('is node-postgres, but for its pools', () => {
    expect(NODE_POSTGRES.types).toBe(pg.types);
    expect(NODE_POSTGRES.Client).toBe(pg.Client);
    expect(NODE_POSTGRES.Pool).not.toBe(pg.Pool);
  });
});

describeWith('postgres', 'node-postgres as TypeORM gets it, on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new NODE_POSTGRES.Pool({ connectionString: database.env.DATABASE_URL, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  /** A client of the pool, as TypeORM's query runner uses one. */
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  it("answers the promise form, TypeORM's, through the callback form", async () => {
    const sent = jest.spyOn(pg.Client.prototype, 'query');
    try {
      const result = await withClient((client) => client.query('SELECT $1::int + 1 AS answer', [41]));
      expect(result.rows).toEqual([{ answer: 42 }]);
      // node-postgres' own query was called once, with a callback: the form that spares the GC.
      expect(sent.mock.calls).toEqual([['SELECT $1::int + 1 AS answer', [41], expect.any(Function)]]);
    } finally {
      sent.mockRestore();
    }
  });

  it('answers a statement without values, and several statements at once, as node-postgres does', async () => {
    expect((await withClient((client) => client.query('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
    const results = (await withClient((client) => client.query('SELECT 1 AS one; SELECT 2 AS two'))) as unknown as pg.QueryResult[];
    expect(results.map((result) => result.rows)).toEqual([[{ one: 1 }], [{ two: 2 }]]);
  });

  it("rejects with node-postgres' own error, SQLSTATE included", async () => {
    await expect(withClient((client) => client.query('SELECT * FROM no_such_table'))).rejects.toMatchObject({
      name: 'error',
      code: '42P01',
    });
  });

  it('survives an error no one is listening for: the moment a new connection is handed out, before TypeORM listens', async () => {
    const client = await pool.connect();
    try {
      // What node-postgres does when the server ends a session that has no query running.
      expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
    } finally {
      client.release();
    }
  });

  it('forwards every other form untouched: a query config, a callback', async () => {
    expect((await withClient((client) => client.query({ text: 'SELECT $1::text AS echo', values: ['config'] }))).rows).toEqual([{ echo: 'config' }]);
    const viaCallback = await withClient(
      (client) =>
        new Promise<pg.QueryResult>((resolve, reject) => client.query('SELECT $1::text AS echo', ['callback'], (error, result) => (error ? reject(error) : resolve(result)))),
    );
    expect(viaCallback.rows).toEqual([{ echo: 'callback' }]);
  });
});
