import type { Counter, Gauge } from 'prom-client';
import { documentQuery, encounterQuery, listQuery } from '../../src/encounters/encounter-queries';
import { MetricsRegistry } from '../../src/metrics/metrics-registry';
import { CapturingLogger } from '../support/capturing-logger';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { pollUntil } from '../support/real-time';
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
  // Every app of the suite logs here: Nest's Logger writes to the logger of the app made last in the process.
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
    expect(logger.lines.filter((line) => line.startsWith(`Replica ${replicaName()} serves encounter reads`))).toHaveLength(1);
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
  const replicaName = () => `127.0.0.1:${new URL(replicaUrl).port}`;
  const replicaServing = (expected: 0 | 1) =>
    pollUntil(
      () => metricValue('charthero_db_replica_serving', { replica: replicaName() }),
      (serving) => serving === expected,
      { timeoutMs: 10_000 },
    );
  /** What the suite's apps log from now on (Jest runs this file's tests in any order: --randomize). */
  const logFromNow = () => {
    const from = logger.lines.length;
    return (start: string) => logger.lines.slice(from).filter((line) => line.startsWith(start));
  };

  /** The statements the app's connections to the replica began since `since` (the replica's clock), as its pg_stat_activity shows them. */
  const statementsOnReplicaSince = async (since: string) =>
    (
      await query<{ query: string }>(
        replicaUrl,
        `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = '' AND query_start >= '${since}'`,
      )
    ).map((row) => row.query);
  const replicaNow = async () => (await query<{ now: string }>(replicaUrl, 'SELECT clock_timestamp()::text AS now'))[0].now;

  /** `work` with the standby's replay paused; resumed and caught up after, whatever happens. */
  async function whileReplayPaused(work: () => Promise<void>): Promise<void> {
    await cluster.pauseReplay();
    try {
      await work();
    } finally {
      await cluster.resumeReplay();
      await cluster.caughtUp();
    }
  }

  /** `work` with the standby stopped; started, caught up and serving again after, whatever happens. */
  async function whileReplicaStopped(work: () => Promise<void>): Promise<void> {
    await replicaServing(1);
    await cluster.stopReplica();
    try {
      await work();
    } finally {
      await cluster.startReplica();
      await cluster.caughtUp();
      await replicaServing(1);
    }
  }

  it.each([
    ['the list', ENCOUNTERS, STATEMENTS.list],
    ['the detail', DETAIL, STATEMENTS.detail],
    ['a document', NOTE, STATEMENTS.document],
    ['a transcript', TRANSCRIPT, STATEMENTS.document],
    ["the audio route's document check", AUDIO, STATEMENTS.document],
  ])('serves %s from the replica: its own activity shows the statement, and the primary counts none', async (_, path, statement) => {
    await replicaServing(1);
    const [since, onReplica, onPrimary] = [await replicaNow(), await readsOn(replicaName()), await readsOn('primary')];
    expect((await get(path)).status).toBe(200);
    expect(await statementsOnReplicaSince(since)).toEqual([statement]);
    expect(await readsOn(replicaName())).toBe(onReplica + 1);
    expect(await readsOn('primary')).toBe(onPrimary);
  });

  it('writes the audit record of a read served by the replica on the primary, before the body is sent', async () => {
    const audited = () => query<{ records: number }>(primaryUrl, `SELECT count(*)::int AS records FROM phi_access_records WHERE key_id = 'key_replica_reader'`);
    await replicaServing(1);
    const [[before], onReplica] = [await audited(), await readsOn(replicaName())];
    expect((await get(DETAIL)).status).toBe(200);
    expect(await readsOn(replicaName())).toBe(onReplica + 1);
    expect(await audited()).toEqual([{ records: before.records + 1 }]);
  });

  it('refuses a key revoked on the primary within 2 s while the replica replays nothing: authorization never reads the replica', async () => {
    const revoked = 'ch_sk_replica_revoked_soon';
    await whileReplayPaused(async () => {
      expect((await get(DETAIL, revoked)).status).toBe(200);
      // As the CLI or another instance would revoke it: on the primary, out of this instance's sight.
      await query(primaryUrl, `UPDATE api_keys SET status = 'revoked' WHERE key_id = 'key_replica_revoked'`);
      app.clock.advance(2_000);
      expectError(await get(DETAIL, revoked), 401, 'revoked_key');
    });
  });

  it('answers a write within 3 s while the replica replays nothing: it falls behind the bound and the primary answers', async () => {
    const logged = logFromNow();
    await whileReplayPaused(async () => {
      const fresh = `enc_replica_fresh_${Date.now()}`;
      await query(
        primaryUrl,
        `INSERT INTO encounters (encounter_id, organization_id, patient_id, encounter_type, status, purpose, created_at, updated_at, date_of_service)
         VALUES ('${fresh}', '${ORG}', 'pat_replica', 'ambient', 'completed', 'clinical', now(), now(), now())`,
      );
      const written = performance.now();
      const skippedForLag = await metricValue('charthero_db_replica_skipped_reads_total', { replica: replicaName(), reason: 'lag' });
      await pollUntil(
        async () => (await get(`${ENCOUNTERS}/${fresh}`)).status,
        (status) => status === 200,
        { timeoutMs: 3_000, intervalMs: 100 },
      );
      expect(performance.now() - written).toBeLessThan(3_000);
      expect(await metricValue('charthero_db_replica_skipped_reads_total', { replica: replicaName(), reason: 'lag' })).toBeGreaterThan(skippedForLag);
      expect(await metricValue('charthero_db_replica_lag_seconds', { replica: replicaName() })).toBeGreaterThan(1);
      // Logged at the next probe (every 250 ms), which may come just after the read that found it behind.
      const behind = / behind the primary, more than DATABASE_REPLICA_MAX_LAG_MS \(1000 ms\): its reads go to the primary or another replica until it catches up\. ReadReplicas$/;
      await pollUntil(
        () => logged(`Replica ${replicaName()} is `),
        (lines) => lines.some((line) => behind.test(line)),
        { timeoutMs: 2_000 },
      );
    });
  });

  it('serves every read from the primary once the replica is stopped, never a 500, stays ready, and reads from the replica again once it is back', async () => {
    const logged = logFromNow();
    const statuses: number[] = [];
    let reading = true;
    // Reads in flight while the standby goes away: some fail there mid-statement, and the primary answers them.
    const readers = Array.from({ length: 4 }, async () => {
      while (reading) statuses.push((await get(ENCOUNTERS)).status, (await get(NOTE)).status);
    });
    const stopReading = () => {
      reading = false;
      return Promise.all(readers);
    };
    try {
      await whileReplicaStopped(async () => {
        // Reads go on until the router has noticed: pooled connections broken, probes failing.
        await replicaServing(0);
        await stopReading();
        expect(new Set(statuses)).toEqual(new Set([200]));
        expect(await metricValue('charthero_db_replica_skipped_reads_total', { replica: replicaName(), reason: 'error' })).toBeGreaterThan(0);
        expect((await app.http().get('/health/ready')).status).toBe(200);
        const away = /: its reads go to the primary or another replica until it answers again\. ReadReplicas$/;
        await pollUntil(
          () => logged(`Replica ${replicaName()} serves no reads, `),
          (lines) => lines.some((line) => away.test(line)),
          { timeoutMs: 2_000 },
        );
      });
    } finally {
      await stopReading();
    }
    // whileReplicaStopped saw it serving again.
    const onReplica = await readsOn(replicaName());
    expect((await get(DETAIL)).status).toBe(200);
    expect(await readsOn(replicaName())).toBe(onReplica + 1);
  });

  it('starts while the replica is down, and serves every read from the primary', async () => {
    await whileReplicaStopped(async () => {
      const second = await startTestApp({ database: borrowed(database), env: { DATABASE_REPLICA_URLS: replicaUrl }, logger });
      try {
        expect((await second.http().get(DETAIL).set('Authorization', bearer(TOKEN))).status).toBe(200);
        expect((await second.http().get('/health/ready')).status).toBe(200);
      } finally {
        await second.close();
      }
    });
  });

  it("never reads from a server that is not a standby of the primary's database, and says why", async () => {
    const otherDatabase = new URL(replicaUrl);
    otherDatabase.pathname = '/postgres';
    const logged = logFromNow();
    const misconfigured = await startTestApp({ database: borrowed(database), env: { DATABASE_REPLICA_URLS: otherDatabase.toString() }, logger });
    try {
      const warning = await pollUntil(
        () => logged('Replica ').find((line) => line.includes("it is not a standby of DATABASE_URL's database")),
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
