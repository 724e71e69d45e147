/**
 * A database that cannot be reached (docs/operations.md "Runbook"): 503 with Retry-After, never
 * a 500, and the readiness checks say so while the process stays live. A file of its own: on
 * PGlite the test closes the process's one embedded database, which no later app could open.
 */
import { getPGliteInstance } from 'typeorm-pglite';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, noteDocument, organization, patient } from '../support/fixtures';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, usingPostgres } from '../support/test-database';

const TOKEN = 'ch_sk_unreachable_full_access';
const SCENARIO = {
  organizations: [organization('org_f')],
  api_keys: [apiKey('key_f', 'org_f', TOKEN)],
  patients: [patient('pat_f', 'org_f')],
  encounters: [encounter('enc_f', 'org_f', 'pat_f', '2026-05-25T14:00:00Z')],
  documents: [noteDocument('doc_f', 'enc_f')],
};

describe('a database that cannot be reached', () => {
  let t: TestApp;
  let cutDatabase: () => Promise<void>;

  beforeAll(async () => {
    if (usingPostgres()) {
      // The app reaches PostgreSQL through a proxy that the test can cut.
      const database = await createTestDatabase();
      const url = new URL(database.env.DATABASE_URL);
      const proxy: TcpProxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      t = await startTestApp({ database: { env: { DATABASE_URL: url.toString() }, drop: database.drop } });
      cutDatabase = proxy.refuse;
    } else {
      t = await startTestApp();
      cutDatabase = async () => (await getPGliteInstance()).close();
    }
    await t.load(SCENARIO);
    expect((await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))).status).toBe(200);
    await cutDatabase();
  });
  afterAll(async () => {
    await t.close().catch(() => undefined); // the connection it would close is already gone
  });

  it('answers 503 service_unavailable with Retry-After, not 500', async () => {
    expectError(await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)), 503, 'service_unavailable');
    expectError(await t.http().get('/external/v1/encounters/enc_f').set('Authorization', bearer(TOKEN)), 503, 'service_unavailable');
  });

  it('reports the database down on the readiness checks, while the process stays live', async () => {
    expectError(await t.http().get('/health'), 503, 'service_unavailable', { notReady: 'database_unreachable' });
    expectError(await t.http().get('/health/ready'), 503, 'service_unavailable', { notReady: 'database_unreachable' });
    expect((await t.http().get('/health/live')).body).toMatchObject({ status: 'ok' });
  });
});
