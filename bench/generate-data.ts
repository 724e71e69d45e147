import { createHmac } from 'node:crypto';

/** The shape of the benchmark data set at scale 1 (issue #4). */
export const FULL_SCALE = { encounters: 1_000_000, organizations: 200, largestOrganizationEncounters: 250_000, encountersPerPatient: 5 };

export interface BenchDataSet {
  encounters: number;
  largestOrganization: string;
  /** A bearer token per organization id, all with every scope. */
  tokens: Map<string, string>;
  /** Encounter and document ids of the largest organization, for the detail and document scenarios. */
  sampleEncounterId: string;
  sampleDocumentId: string;
}

/** A pg Client, or a TypeORM DataSource: anything that runs a parameterized statement. */
export interface SqlRunner {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export const tokenOf = (organizationIndex: number) => `ch_sk_bench_organization_${String(organizationIndex).padStart(3, '0')}`;
const organizationIdOf = (organizationIndex: number) => `org_bench_${String(organizationIndex).padStart(3, '0')}`;

/**
 * Fills a migrated, empty database with `scale` × 1,000,000 encounters in set-based SQL:
 * 200 organizations, one holding a quarter of the encounters, one patient per 5 encounters,
 * ~1.5 documents per encounter (every encounter an ambient transcript, every other one a
 * note), 2% demo or training encounters, created over 2025.
 */
export async function generateBenchData(client: SqlRunner, scale: number, digestSecret: string): Promise<BenchDataSet> {
  const total = roundTo(FULL_SCALE.encounters * scale, 5 * FULL_SCALE.organizations);
  const largest = roundTo(FULL_SCALE.largestOrganizationEncounters * scale, 5);
  // Every other organization holds one contiguous block of encounters, a multiple of 5 long,
  // so that a patient's 5 encounters never straddle two organizations.
  const perOtherOrganization = roundTo((total - largest) / (FULL_SCALE.organizations - 1), 5);
  const organizationOf = (encounterIndex: string) =>
    `CASE WHEN ${encounterIndex} < ${largest} THEN 0 ELSE 1 + LEAST((${encounterIndex} - ${largest}) / ${perOtherOrganization}, ${FULL_SCALE.organizations - 2}) END`;
  const routes = `ARRAY['encounters.list','encounters.read','documents.read','documents.transcript','documents.audio']`;

  await client.query(`INSERT INTO organizations (organization_id, name)
    SELECT 'org_bench_' || lpad(o::text, 3, '0'), 'Bench organization ' || o FROM generate_series(0, ${FULL_SCALE.organizations - 1}) o`);
  await client.query(`INSERT INTO partners (organization_id, enabled_routes) SELECT organization_id, ${routes} FROM organizations`);

  const tokens = new Map<string, string>();
  for (let o = 0; o < FULL_SCALE.organizations; o++) {
    const token = tokenOf(o);
    tokens.set(organizationIdOf(o), token);
    await client.query(
      `INSERT INTO api_keys (key_id, organization_id, token_digest, display_prefix, scopes)
       VALUES ($1, $2, $3, 'ch_sk_benc…', ARRAY['encounters:read','patients:read','documents:read','recordings:read'])`,
      [`key_bench_${o}`, organizationIdOf(o), createHmac('sha256', digestSecret).update(token).digest('hex')],
    );
  }

  await client.query(`INSERT INTO patients (patient_id, organization_id, first_name, last_name, date_of_birth)
    SELECT 'pat_bench_' || p, 'org_bench_' || lpad((${organizationOf('p * 5')})::text, 3, '0'),
           'First' || p, 'Last' || p, date '1940-01-01' + (p * 37 % 25000)
    FROM generate_series(0, ${total / FULL_SCALE.encountersPerPatient - 1}) p`);

  await client.query(`INSERT INTO encounters (encounter_id, organization_id, patient_id, encounter_type, status, purpose, created_at, updated_at, date_of_service)
    SELECT 'enc_bench_' || e, 'org_bench_' || lpad((${organizationOf('e')})::text, 3, '0'), 'pat_bench_' || (e / 5),
           CASE WHEN e % 2 = 0 THEN 'ambient' ELSE 'clinical_documentation' END, 'completed',
           CASE e % 100 WHEN 0 THEN 'demo' WHEN 50 THEN 'training' ELSE 'clinical' END,
           t, t + interval '1 hour', t
    FROM generate_series(0, ${total - 1}) e,
         LATERAL (SELECT timestamptz '2025-01-01T00:00:00Z' + ((e::bigint * 7919 % 31536000) || ' seconds')::interval AS t) created`);

  // Historical transcripts, not news: without the webhook trigger, as a migration of old data
  // would load them (a million events would only bloat the database the bench reads).
  await client.query(`ALTER TABLE documents DISABLE TRIGGER record_transcript_ready`);
  await client.query(`INSERT INTO documents (document_id, encounter_id, schema_type, title, status, workflow_variant, audio_duration_seconds, created_at, updated_at, transcript)
    SELECT 'doc_bench_' || e || '_t', encounter_id, 'ambient_transcript', 'Ambient transcript', 'completed', 'ambient', 300 + e % 900 + 0.4,
           created_at + interval '10 minutes', created_at + interval '20 minutes',
           '{"provider":"deepgram","turns":[{"speaker":"clinician","start":0,"end":1.6,"text":"Good morning."},{"speaker":"patient","start":1.9,"end":4.2,"text":"Morning."}]}'::jsonb
    FROM (SELECT encounter_id, created_at, substr(encounter_id, 11)::int AS e FROM encounters) source`);
  await client.query(`INSERT INTO documents (document_id, encounter_id, schema_type, title, created_at, updated_at, content)
    SELECT 'doc_bench_' || e || '_n', encounter_id, 'document', 'Progress note', created_at + interval '30 minutes', created_at + interval '30 minutes',
           '{"format":"markdown","text":"## Assessment\\nStable.\\n\\n## Plan\\nFollow up in four weeks."}'::jsonb
    FROM (SELECT encounter_id, created_at, substr(encounter_id, 11)::int AS e FROM encounters) source WHERE e % 2 = 0`);
  await client.query(`ALTER TABLE documents ENABLE TRIGGER record_transcript_ready`);
  await client.query('ANALYZE');

  return { encounters: total, largestOrganization: organizationIdOf(0), tokens, sampleEncounterId: 'enc_bench_2', sampleDocumentId: 'doc_bench_2_n' };
}

function roundTo(value: number, multiple: number): number {
  return Math.max(multiple, Math.round(value / multiple) * multiple);
}
