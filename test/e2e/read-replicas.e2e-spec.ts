import type { Counter, Gauge } from 'prom-client';
import { documentQuery, encounterQuery, listQuery } from '../../src/encounters/encounter-queries';
import { MetricsRegistry } from '../../src/metrics/metrics-registry';
import { CapturingLogger } from '../support/capturing-logger';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { pollUntil, sleep } from '../support/real-time';
import { recordingFiles, type RecordingFiles } from '../support/recordings';
import { queryOn as query, startReplicaCluster, type ReplicaCluster } from '../support/replica-cluster';
import { describeWith, serviceUrl } from '../support/services';
import { startTestApp, type TestApp } from '../support/test-app';
import { borrowed, createDatabaseOn, type TestDatabase } from '../support/test-database';

const ORG = 'org_replica';
const TOKEN = 'ch_sk_replica_reader';
const ENCOUNTERS = '/external/v1/encounters';
const DETAIL = `${ENCOUNTERS}/enc_replica`;
const NOTE = `${DETAIL}/documents/doc_replica_note`;
const TRANSCRIPT = `${DETAIL}/documents/doc_replica_transcript/transcript`;
const AUDIO = `${DETAIL}/documents/doc_replica_transcript/audio`;

/** What each encounter route runs, as pg_stat_activity shows a statement sent with parameters. */
const STATEMENTS = {
  list: listQuery({ organizationId: ORG, limit: 1, offset: 0, sortOrder: 'desc' }).text,
  detail: encounterQuery(ORG, 'enc').text,
  document: documentQuery(ORG, 'enc', 'doc', null).text,
};

/** `url` (a database on the primary) on the server of `serverUrl`: the same database on the standby. */
function onServer(url: string, serverUrl: string): string {
  const moved = new URL(url);
  moved.port = new URL(serverUrl).port;
  return moved.toString();
}

/**
 * Issue 24: the encounter routes read from a streaming standby of the suite's own
 * (test/support/replica-cluster.ts), and fall back to the primary when it lags or goes away;
 * what authorizes a request and the audit stay on the primary.
 */
describeWith('postgresBinaries', 'encounter reads with a streaming replica (DATABASE_REPLICA_URLS)', () => {
  let cluster: ReplicaCluster;
  let database: TestDatabase;
  let files: RecordingFiles;
  let app: TestApp;
  let primaryUrl: string;
  let replicaUrl: string;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    cluster = await startReplicaCluster(serviceUrl('postgresBinaries')!);
    database = await createDatabaseOn(cluster.primaryUrl);
    primaryUrl = database.env.DATABASE_URL;
    replicaUrl = onServer(primaryUrl, cluster.replicaUrl);
    files = await recordingFiles();
    const { path } = await files.write('visit.wav', 4096);
    app = await startTestApp({ database: borrowed(database), env: { DATABASE_REPLICA_URLS: replicaUrl }, logger });
    await app.load({
      organizations: [organization(ORG)],
      api_keys: [apiKey('key_replica_reader', ORG, TOKEN), apiKey('key_replica_revoked', ORG, 'ch_sk_replica_revoked_soon')],
      patients: [patient('pat_replica', ORG)],
      encounters: [encounter('enc_replica', ORG, 'pat_replica', '2026-05-25T14:00:00Z')],
      documents: [
        noteDocument('doc_replica_note', 'enc_replica'),
        transcriptDocument('doc_replica_transcript', 'enc_replica', { recording: { file: path, content_type: 'audio/wav' } }),
      ],
    });
    await cluster.caughtUp();
    await replicaServing(1);
    expect(logged(`Replica ${replicaName()} serves encounter reads`)).toHaveLength(1);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await files?.remove();
    await cluster?.close();
  });

  const get = (path: string, token = TOKEN) => app.http().get(path).set('Authorization', bearer(token));

  async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
    const metric = app.app.get(MetricsRegistry).getSingleMetric(name) as Counter | Gauge;
    const { values } = await metric.get();
    return values.find((value) => Object.entries(labels).every(([label, expected]) => value.labels[label] === expected))?.value ?? 0;
  }
  const readsOn = (target: string) => metricValue('charthero_db_reads_total', { target });
  const logged = (start: string) => logger.lines.filter((line) => line.startsWith(start));
  const replicaName = () => `127.0.0.1:${new URL(replicaUrl).port}`;
  const replicaServing = (expected: 0 | 1) =>
    pollUntil(
      () => metricValue('charthero_db_replica_serving', { replica: replicaName() }),
      (serving) => serving === expected,
      { timeoutMs: 10_000 },
    );

  /** The statement each of the app's connections to `url`'s database sent last. */
  const lastStatements = async (url: string) =>
    (await query<{ query: string }>(url, `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ''`)).map(
      (row) => row.query,
    );

  it.each([
    ['the list', ENCOUNTERS, STATEMENTS.list],
    ['the detail', DETAIL, STATEMENTS.detail],
    ['a document', NOTE, STATEMENTS.document],
    ['a transcript', TRANSCRIPT, STATEMENTS.document],
    ["the audio route's document check", AUDIO, STATEMENTS.document],
  ])('serves %s from the replica: its own activity shows the statement, and the primary counts none', async (_, path, statement) => {
    const [onReplica, onPrimary] = [await readsOn(replicaName()), await readsOn('primary')];
    expect((await get(path)).status).toBe(200);
    expect(await lastStatements(replicaUrl)).toContain(statement);
    expect(await readsOn(replicaName())).toBe(onReplica + 1);
    expect(await readsOn('primary')).toBe(onPrimary);
  });

  it('writes the audit record of a read served by the replica on the primary, before the body is sent', async () => {
    const audited = () => query<{ records: number }>(primaryUrl, `SELECT count(*)::int AS records FROM phi_access_records WHERE key_id = 'key_replica_reader'`);
    const [before] = await audited();
    expect((await get(DETAIL)).status).toBe(200);
    expect(await audited()).toEqual([{ records: before.records + 1 }]);
  });

  describe('while the replica replays nothing', () => {
    beforeAll(() => cluster.pauseReplay());
    afterAll(async () => {
      await cluster.resumeReplay();
      await cluster.caughtUp();
    });

    it('refuses a key revoked on the primary within 2 s: authorization never reads the replica', async () => {
      const revoked = 'ch_sk_replica_revoked_soon';
      expect((await get(DETAIL, revoked)).status).toBe(200);
      // As the CLI or another instance would revoke it: on the primary, out of this instance's sight.
      await query(primaryUrl, `UPDATE api_keys SET status = 'revoked' WHERE key_id = 'key_replica_revoked'`);
      app.clock.advance(2_000);
      expectError(await get(DETAIL, revoked), 401, 'revoked_key');
    });

    it('answers a fresh write within 3 s: the replica falls behind the bound and the primary answers', async () => {
      await query(
        primaryUrl,
        `INSERT INTO encounters (encounter_id, organization_id, patient_id, encounter_type, status, purpose, created_at, updated_at, date_of_service)
         VALUES ('enc_replica_fresh', '${ORG}', 'pat_replica', 'ambient', 'completed', 'clinical', now(), now(), now())`,
      );
      const written = performance.now();
      const skippedForLag = await metricValue('charthero_db_replica_skipped_reads_total', { replica: replicaName(), reason: 'lag' });
      await pollUntil(
        async () => (await get(`${ENCOUNTERS}/enc_replica_fresh`)).status,
        (status) => status === 200,
        { timeoutMs: 3_000, intervalMs: 100 },
      );
      expect(performance.now() - written).toBeLessThan(3_000);
      expect(await metricValue('charthero_db_replica_skipped_reads_total', { replica: replicaName(), reason: 'lag' })).toBeGreaterThan(skippedForLag);
      expect(await metricValue('charthero_db_replica_lag_seconds', { replica: replicaName() })).toBeGreaterThan(1);
      expect(logged(`Replica ${replicaName()} is `)).toEqual([
        expect.stringMatching(
          / behind the primary, more than DATABASE_REPLICA_MAX_LAG_MS \(1000 ms\): its reads go to the primary or another replica until it catches up\. ReadReplicas$/,
        ),
      ]);
    });
  });

  describe('once the replica is stopped', () => {
    beforeAll(async () => {
      await replicaServing(1);
      await cluster.stopReplica();
    });

    it('serves every read from the primary, never a 500, and stays ready', async () => {
      const statuses: number[] = [];
      // Reads from the moment it went away (pooled connections broken, probes failing) for a second.
      const until = performance.now() + 1_000;
      while (performance.now() < until) {
        statuses.push((await get(ENCOUNTERS)).status, (await get(NOTE)).status);
        // Spread over the second in which the probes notice: real time, the standby is another process.
        await sleep(50);
      }
      expect(new Set(statuses)).toEqual(new Set([200]));
      await replicaServing(0);
      expect(await metricValue('charthero_db_replica_skipped_reads_total', { replica: replicaName(), reason: 'error' })).toBeGreaterThan(0);
      expect((await app.http().get('/health/ready')).status).toBe(200);
      expect(logged(`Replica ${replicaName()} serves no reads, `)).toEqual([
        expect.stringMatching(/: its reads go to the primary or another replica until it answers again\. ReadReplicas$/),
      ]);
    });

    it('starts while it is down, and serves every read from the primary', async () => {
      const second = await startTestApp({ database: borrowed(database), env: { DATABASE_REPLICA_URLS: replicaUrl } });
      try {
        expect((await second.http().get(DETAIL).set('Authorization', bearer(TOKEN))).status).toBe(200);
        expect((await second.http().get('/health/ready')).status).toBe(200);
      } finally {
        await second.close();
      }
    });

    it('serves reads from the replica again once it is back and caught up', async () => {
      await cluster.startReplica();
      await cluster.caughtUp();
      await replicaServing(1);
      const onReplica = await readsOn(replicaName());
      expect((await get(DETAIL)).status).toBe(200);
      expect(await readsOn(replicaName())).toBe(onReplica + 1);
    });
  });

  it("never reads from a server that is not a standby of the primary's database, and says why", async () => {
    const otherDatabase = new URL(replicaUrl);
    otherDatabase.pathname = '/postgres';
    const otherLogger = new CapturingLogger();
    const misconfigured = await startTestApp({ database: borrowed(database), env: { DATABASE_REPLICA_URLS: otherDatabase.toString() }, logger: otherLogger });
    try {
      const warning = await pollUntil(
        () => otherLogger.lines.find((line) => line.startsWith('Replica ')),
        (line) => line !== undefined,
        { timeoutMs: 5_000 },
      );
      expect(warning).toMatch(/^Replica 127\.0\.0\.1:\d+ serves no reads, it is not a standby of DATABASE_URL's database \(system \d+, database postgres\): /);
      expect((await misconfigured.http().get(DETAIL).set('Authorization', bearer(TOKEN))).status).toBe(200);
    } finally {
      await misconfigured.close();
    }
  });
});
