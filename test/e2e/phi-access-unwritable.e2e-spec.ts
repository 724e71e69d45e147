/**
 * Durable before disclosure: with the audit table unwritable (its INSERT privilege revoked
 * from the service's role), every PHI answer is `503 service_unavailable` and carries no data;
 * once the privilege is back, the same requests are served.
 *
 * The service runs as a role of its own, as in production (docs/operations.md): on
 * PostgreSQL a login role the app connects as; on the embedded database, whose one connection
 * the app and the test share, the role that connection is set to.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MetricsRegistry } from '../../src/metrics/metrics-registry';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, organization, patient, transcriptDocument } from '../support/fixtures';
import { fetchMedia, recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, type TestApp } from '../support/test-app';
import { borrowed, createTestDatabase, usingPostgres, type TestDatabase } from '../support/test-database';

const ORG = 'org_audit_unwritable';
const TOKEN = 'ch_sk_audit_unwritable_key';
const ENCOUNTER = '/external/v1/encounters/enc_unwritable';
const DOCUMENT = `${ENCOUNTER}/documents/doc_unwritable`;

/** Where the test, as the tables' owner, grants and revokes; and the app that runs as the service's role. */
interface ServiceRole {
  app: TestApp;
  sql(text: string): Promise<void>;
  close(): Promise<void>;
}

const ROLE = `charthero_service_${process.pid}_${randomBytes(3).toString('hex')}`;
const GRANTS = [`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ROLE}`, `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${ROLE}`];

async function startAsServiceRole(env: Record<string, string>, seed: (app: TestApp) => Promise<void>): Promise<ServiceRole> {
  if (!usingPostgres()) {
    const app = await startTestApp({ env });
    await seed(app);
    const sql = async (text: string) => {
      await app.dataSource.query('RESET ROLE');
      await app.dataSource.query(text);
      await app.dataSource.query(`SET ROLE ${ROLE}`);
    };
    await app.dataSource.query(`CREATE ROLE ${ROLE}`);
    for (const grant of GRANTS) await app.dataSource.query(grant);
    await app.dataSource.query(`SET ROLE ${ROLE}`);
    return { app, sql, close: () => app.close() };
  }

  // The owner migrates and seeds; then the service connects as its own role, migrating nothing.
  const database: TestDatabase = await createTestDatabase();
  const owner = await startTestApp({ env, database: borrowed(database) });
  await seed(owner);
  await owner.close();
  const ownerClient = new Client({ connectionString: database.env.DATABASE_URL });
  await ownerClient.connect();
  await ownerClient.query(`CREATE ROLE ${ROLE} LOGIN`);
  for (const grant of GRANTS) await ownerClient.query(grant);
  const serviceUrl = new URL(database.env.DATABASE_URL);
  serviceUrl.username = ROLE;
  serviceUrl.password = '';
  const app = await startTestApp({ env: { ...env, DB_MIGRATE_ON_START: 'false' }, database: { env: { DATABASE_URL: serviceUrl.toString() }, drop: async () => undefined } });
  return {
    app,
    sql: async (text) => {
      await ownerClient.query(text);
    },
    close: async () => {
      await app.close();
      await ownerClient.end();
      await database.drop();
      const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
      await admin.end();
    },
  };
}

describe('with the audit table unwritable', () => {
  let files: RecordingFiles;
  let service: ServiceRole;
  let audioUrl: string;

  beforeAll(async () => {
    files = await recordingFiles();
    await files.write('visit.wav', 5_000);
    // The owner stores the recording where the service reads it.
    service = await startAsServiceRole({ RECORDINGS_DIR: `${files.dir}/store` }, (app) =>
      app.load({
        organizations: [organization(ORG)],
        api_keys: [apiKey('key_unwritable', ORG, TOKEN)],
        patients: [patient('pat_unwritable', ORG, { first_name: 'Imogen', last_name: 'Quill' })],
        encounters: [encounter('enc_unwritable', ORG, 'pat_unwritable', '2026-05-25T14:00:00Z')],
        documents: [transcriptDocument('doc_unwritable', 'enc_unwritable', { recording: { file: `${files.dir}/visit.wav`, content_type: 'audio/wav' } })],
      }),
    );
    await service.app.app.listen(0, '127.0.0.1');
    const issued = await get(`${DOCUMENT}/audio`).expect(200);
    audioUrl = issued.body.audio_url;
    await service.sql('REVOKE INSERT ON phi_access_records FROM ' + ROLE);
  });
  afterAll(async () => {
    await service?.close();
    await files.remove();
  });

  const get = (path: string) => service.app.http().get(path).set('Authorization', bearer(TOKEN));

  it.each([
    ['encounters.list', '/external/v1/encounters'],
    ['encounters.read', ENCOUNTER],
    ['documents.read', DOCUMENT],
    ['documents.transcript', `${DOCUMENT}/transcript`],
    ['documents.audio', `${DOCUMENT}/audio`],
  ])('%s answers 503 service_unavailable, with no data', async (_route, path) => {
    const response = await get(path);
    expectError(response, 503, 'service_unavailable');
    for (const disclosed of ['enc_unwritable', 'pat_unwritable', 'doc_unwritable', 'Imogen', 'Quill', 'media/v1']) expect(response.text).not.toContain(disclosed);
  });

  it('a media URL answers 503 without a byte of the recording', async () => {
    const fetched = await fetchMedia(audioUrl);
    expect(fetched.status).toBe(503);
    expect(fetched.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(fetched.body.toString())).toMatchObject({ reason_code: 'service_unavailable' });
    expect(fetched.headers.get('content-range')).toBeNull();
  });

  it('counts the records it could not write, and how long the attempts took', async () => {
    const registry = service.app.app.get(MetricsRegistry);
    const failedRecords = async () => (await registry.getSingleMetric('charthero_audit_records_total')!.get()).values.find((value) => value.labels.result === 'failed')?.value ?? 0;
    const failedWrites = async () =>
      Number(
        /^charthero_audit_write_duration_seconds_count\{result="failed"\} (\d+)$/m.exec(await registry.getSingleMetricAsString('charthero_audit_write_duration_seconds'))?.[1] ?? 0,
      );
    const [recordsBefore, writesBefore] = [await failedRecords(), await failedWrites()];
    expectError(await get(ENCOUNTER), 503, 'service_unavailable');
    expect(await failedRecords()).toBe(recordsBefore + 1);
    expect(await failedWrites()).toBe(writesBefore + 1);
  });

  it('serves again, audited, once the privilege is back', async () => {
    await service.sql(`GRANT INSERT ON phi_access_records TO ${ROLE}`);
    const response = await get(ENCOUNTER).set('X-Request-Id', 'unwritable-recovered').expect(200);
    expect(response.body.encounter.encounter_id).toBe('enc_unwritable');
    expect((await fetchMedia(audioUrl)).status).toBe(200);
    await service.sql(`REVOKE INSERT ON phi_access_records FROM ${ROLE}`);
  });
});
