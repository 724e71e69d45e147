import { Client } from 'pg';
import { migrateSchema } from '../../src/database/schema-migration';
import { CapturingLogger } from '../support/capturing-logger';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, noteDocument, organization, patient } from '../support/fixtures';
import { pollUntil } from '../support/real-time';
import { startTestApp, TestApp } from '../support/test-app';
import { describeWith } from '../support/services';
import { createTestDatabase } from '../support/test-database';

const TOKEN = 'ch_sk_failures_full_access';
const PATIENT_NAME = 'Zebulon';
const SCENARIO = {
  organizations: [organization('org_f')],
  api_keys: [apiKey('key_f', 'org_f', TOKEN)],
  patients: [patient('pat_f', 'org_f', { first_name: PATIENT_NAME, last_name: 'Quibble' })],
  encounters: [encounter('enc_f', 'org_f', 'pat_f', '2026-05-25T14:00:00Z')],
  documents: [noteDocument('doc_f', 'enc_f')],
};

describe('a database without every migration of this version', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is not ready until migrated', async () => {
    expect((await t.http().get('/health/ready')).status).toBe(200);
    await t.dataSource.undoLastMigration();
    expectError(await t.http().get('/health/ready'), 503, 'service_unavailable', { notReady: 'pending_migrations' });
    expectError(await t.http().get('/health'), 503, 'service_unavailable', { notReady: 'pending_migrations' });
    expect((await t.http().get('/health/live')).status).toBe(200);
    await migrateSchema(t.dataSource, 'all');
    expect((await t.http().get('/health/ready')).body).toMatchObject({ status: 'ok' });
  });
});

describe('an unexpected failure', () => {
  let t: TestApp;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    t = await startTestApp({ logger });
    await t.load(SCENARIO);
    // A schema the code does not expect: every encounter read now fails inside PostgreSQL.
    await t.dataSource.query('ALTER TABLE documents RENAME COLUMN title TO title_moved');
  });
  afterAll(() => t.close());

  it('answers 500 internal_error with the public body and nothing else', async () => {
    const response = await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN));
    expectError(response, 500, 'internal_error');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('leaks no stack, SQL or patient data to the caller or the log', async () => {
    const response = await t.http().get('/external/v1/encounters/enc_f').set('Authorization', bearer(TOKEN));
    expectError(response, 500, 'internal_error');
    const text = JSON.stringify(response.body);
    for (const secret of [PATIENT_NAME, 'title', 'SELECT', 'documents', ' at ', '.ts:']) expect(text).not.toContain(secret);

    const logged = logger.lines.join('\n');
    expect(logged).toContain(response.body.request_id);
    for (const secret of [PATIENT_NAME, 'Quibble', 'SELECT', TOKEN]) expect(logged).not.toContain(secret);
  });
});

// PostgreSQL only: the embedded database is one in-process session, with no pool to exhaust
// and no second session to hold a lock.

/** An app on a fresh database with SCENARIO, and another session that can lock its tables. */
const appWithLocker = async (env: Record<string, string>): Promise<{ t: TestApp; locker: Client }> => {
  const database = await createTestDatabase();
  const t = await startTestApp({ database, env });
  await t.load(SCENARIO);
  const locker = new Client({ connectionString: database.env.DATABASE_URL });
  await locker.connect();
  return { t, locker };
};

/** Runs `work` while the locker holds encounters exclusively: every encounter read waits. */
const whileEncountersLocked = async <T>(locker: Client, work: () => Promise<T>): Promise<T> => {
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE encounters IN ACCESS EXCLUSIVE MODE');
  try {
    return await work();
  } finally {
    await locker.query('ROLLBACK');
  }
};

describeWith('postgres', 'a slow database', () => {
  let t: TestApp;
  let locker: Client;

  beforeAll(async () => {
    ({ t, locker } = await appWithLocker({ DB_STATEMENT_TIMEOUT_MS: '300' }));
  });
  afterAll(async () => {
    await locker.end();
    await t.close();
  });

  it('answers 503 service_unavailable once the statement timeout passes, instead of piling requests up', async () => {
    await whileEncountersLocked(locker, async () => {
      const started = Date.now();
      const responses = await Promise.all(Array.from({ length: 15 }, () => t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))));
      responses.forEach((response) => expectError(response, 503, 'service_unavailable'));
      // 15 requests on a pool of 10: all answered in a few timeouts, none left hanging.
      expect(Date.now() - started).toBeLessThan(3_000);
    });
    expect((await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))).status).toBe(200);
  });
});

describeWith('postgres', 'readiness while slow queries hold every pooled connection', () => {
  let t: TestApp;
  let locker: Client;

  beforeAll(async () => {
    ({ t, locker } = await appWithLocker({ DB_POOL_SIZE: '2', DB_STATEMENT_TIMEOUT_MS: '8000' }));
  });
  afterAll(async () => {
    await locker.end();
    await t.close();
  });

  it('stays ready: the database answers, over a connection of its own', async () => {
    // Wrapped: awaiting the requests themselves inside would wait for the lock to be released.
    const { held } = await whileEncountersLocked(locker, async () => {
      const requests = Promise.all([1, 2].map(() => t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))));
      // Both pooled connections are held once both reads wait on the lock. (The locker's
      // transaction would see one snapshot of the statistics: each read takes a fresh one.)
      const waitingOnTheLock = async () => {
        await locker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await locker.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        return rows[0].waiting as number;
      };
      await pollUntil(waitingOnTheLock, (waiting) => waiting === 2);
      const started = Date.now();
      expect((await t.http().get('/health/ready')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      return { held: requests };
    });
    (await held).forEach((response) => expect(response.status).toBe(200));
  });
});
