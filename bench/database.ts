import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../src/config/load-app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { migrateSchema } from '../src/database/schema-migration';
import type { EncounterPurpose } from '../src/encounters/encounter-types';
import { isListed, LISTED_ENCOUNTER_SQL } from '../src/encounters/listed-encounter';
import { type Log, seconds } from './clock';
import { type BenchDataSet, FULL_SCALE, generateBenchData, tokenOf } from './generate-data';
import type { BenchOptions } from './options';

const SERVER_URL = 'postgres://postgres@127.0.0.1:5432';
export const DEFAULT_DATABASE = 'charthero_bench';
/** The digest secret of the benchmark's keys; fixed so that `--reuse` finds the same keys. */
export const DIGEST_SECRET = 'charthero-bench-digest-secret';
/** 32 bytes in base64: the service runs with webhooks on, as a deployment does. */
export const BENCH_WEBHOOK_KEY = Buffer.from('charthero-bench-webhook-key-32by').toString('base64');

export interface DataInfo {
  url: string;
  database: string;
  reused: boolean;
  encounters: number;
  generationSeconds: number | null;
  vacuumSeconds: number;
  largestOrganization: string;
  largestOrganizationEncounters: number;
  token: string;
  /** Clinical encounters of the largest organization, and their documents. */
  encounterIds: string[];
  documents: { encounterId: string; documentId: string; schemaType: string }[];
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  return `${SERVER_URL}/${name}`;
}

/** What generateBenchData creates at this scale (its rounding). */
function expectedEncounters(scale: number): number {
  const multiple = 5 * FULL_SCALE.organizations;
  return Math.max(multiple, Math.round((FULL_SCALE.encounters * scale) / multiple) * multiple);
}

async function encounterCount(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass('encounters')::text AS table`);
    if (rows[0].table === null) return 0;
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM encounters')).rows[0].n;
  });
}

/** The URL of DEFAULT_DATABASE, recreated empty unless `--reuse` finds it holding this scale's encounters. */
export async function createDefaultDatabase(options: BenchOptions, log: Log): Promise<string> {
  const url = databaseUrl(DEFAULT_DATABASE);
  const exists = await withClient(`${SERVER_URL}/postgres`, async (client) =>
    Boolean((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEFAULT_DATABASE])).rowCount),
  );
  const reusable = options.reuse && exists && (await encounterCount(url)) === expectedEncounters(options.scale);
  if (!reusable) {
    if (options.reuse) log(`--reuse: no ${DEFAULT_DATABASE} database with ${expectedEncounters(options.scale)} encounters, generating one`);
    await withClient(`${SERVER_URL}/postgres`, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${DEFAULT_DATABASE}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${DEFAULT_DATABASE}"`);
    });
    log(`created database ${DEFAULT_DATABASE}`);
  }
  return url;
}

/** DEFAULT_DATABASE, made empty on the server `serverUrl` names (the primary of `--replica`, which is removed at the end). */
export async function createDatabaseOn(serverUrl: string): Promise<string> {
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${DEFAULT_DATABASE}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${DEFAULT_DATABASE}`;
  return url.toString();
}

/** `url`'s database on the server `serverUrl` names: a standby holds the primary's databases. */
export function sameDatabaseOn(serverUrl: string, url: string): string {
  const moved = new URL(serverUrl);
  moved.pathname = new URL(url).pathname;
  return moved.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  await withClient(`${SERVER_URL}/postgres`, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Migrates the database at `url`, fills it unless it holds a data set to reuse, and samples the requests to send. */
export async function prepareDatabase(url: string, options: BenchOptions, log: Log): Promise<DataInfo> {
  const { scale } = options;
  const database = new URL(url).pathname.slice(1);

  // The schema as the tests and the CLI bring it (the service starts with DB_MIGRATE_ON_START=false).
  const config = loadAppConfig({ NODE_ENV: 'production', DATABASE_URL: url, API_KEY_DIGEST_SECRET: DIGEST_SECRET });
  const dataSource = new DataSource(dataSourceOptions(config.database));
  await dataSource.initialize();
  try {
    const applied = await migrateSchema(dataSource, 'each');
    log(`migrations: ${applied.migrations.length} applied, routines: ${applied.routines.length} installed`);
  } finally {
    await dataSource.destroy();
  }

  return withClient(url, async (client) => {
    let encounters = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM encounters')).rows[0].n;
    let generationSeconds: number | null = null;
    let generated: BenchDataSet | null = null;
    if (encounters > 0 && !options.reuse) {
      throw new Error(`${database} already holds ${encounters} encounters: pass --reuse to benchmark them, or give an empty database`);
    }
    if (encounters === 0) {
      log(`generating ${expectedEncounters(scale)} encounters (scale ${scale})…`);
      const since = performance.now();
      generated = await generateBenchData(client, scale, DIGEST_SECRET);
      generationSeconds = seconds(since);
      encounters = generated.encounters;
      log(`generated ${encounters} encounters in ${generationSeconds} s`);
    } else {
      log(`reusing ${encounters} encounters in ${database}`);
      if (encounters !== expectedEncounters(scale)) log(`note: scale ${scale} would be ${expectedEncounters(scale)} encounters`);
    }
    // autovacuum may be off (it is on this machine) and would anyway run at a random moment of
    // the benchmark: settle the tables first, so that index-only scans see a visibility map.
    let since = performance.now();
    await client.query('VACUUM (ANALYZE)');
    const vacuumSeconds = seconds(since);
    log(`VACUUM (ANALYZE) in ${vacuumSeconds} s`);

    since = performance.now();
    const largest = (
      await client.query<{ organization_id: string; n: number }>(
        'SELECT organization_id, count(*)::int AS n FROM encounters GROUP BY organization_id ORDER BY n DESC, organization_id LIMIT 1',
      )
    ).rows[0];
    // A reused data set's tokens are tokenOf(index of the organization), as generated; either way
    // the token must be the largest organization's key under the bench digest secret.
    const token = generated?.tokens.get(largest.organization_id) ?? tokenOf(Number(/(\d+)$/.exec(largest.organization_id)?.[1] ?? NaN));
    const digest = createHmac('sha256', DIGEST_SECRET).update(token).digest('hex');
    const key = await client.query('SELECT 1 FROM api_keys WHERE token_digest = $1 AND organization_id = $2', [digest, largest.organization_id]);
    if (!key.rowCount) throw new Error(`no bench key for ${largest.organization_id} under the bench digest secret`);

    const { rows: sampled } = await client.query<{ encounter_id: string }>(
      `SELECT encounter_id FROM encounters WHERE organization_id = $1 AND ${LISTED_ENCOUNTER_SQL} ORDER BY md5(encounter_id) LIMIT 100`,
      [largest.organization_id],
    );
    const encounterIds = sampled.map((row) => row.encounter_id);
    const sampleEncounterId = generated?.sampleEncounterId;
    if (sampleEncounterId !== undefined) {
      const { rows } = await client.query<{ organization_id: string; purpose: EncounterPurpose }>('SELECT organization_id, purpose FROM encounters WHERE encounter_id = $1', [
        sampleEncounterId,
      ]);
      const fits = rows[0]?.organization_id === largest.organization_id && isListed(rows[0].purpose);
      log(`sampleEncounterId ${sampleEncounterId} ${fits ? 'is a listed encounter of' : 'is not a listed encounter of'} ${largest.organization_id}`);
      if (fits && !encounterIds.includes(sampleEncounterId)) encounterIds[0] = sampleEncounterId;
    }
    const { rows: documentRows } = await client.query<{ encounter_id: string; document_id: string; schema_type: string }>(
      'SELECT encounter_id, document_id, schema_type FROM documents WHERE encounter_id = ANY($1) ORDER BY encounter_id, document_id',
      [encounterIds],
    );
    log(
      `largest organization ${largest.organization_id}: ${largest.n} encounters; sampled ${encounterIds.length} encounters, ${documentRows.length} documents (${seconds(since)} s)`,
    );
    return {
      url,
      database,
      reused: generationSeconds === null,
      encounters,
      generationSeconds,
      vacuumSeconds,
      largestOrganization: largest.organization_id,
      largestOrganizationEncounters: largest.n,
      token,
      encounterIds,
      documents: documentRows.map((row) => ({ encounterId: row.encounter_id, documentId: row.document_id, schemaType: row.schema_type })),
    };
  });
}
