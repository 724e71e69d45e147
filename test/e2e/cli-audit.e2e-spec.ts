/**
 * `audit list` and `audit patient` (docs/operations.md "PHI access audit"), run as `npm run cli` runs them
 * on records the API wrote: each format, the time range, a history longer than one batch, and
 * bad input refused in one line.
 */
import { CliScenario, createCliScenario } from '../support/cli-scenario';
import { apiKey, bearer, encounter, noteDocument, organization, patient } from '../support/fixtures';

const ORG = 'org_cli_audit';
const TOKEN = 'ch_sk_cli_audit_key';

const FIXTURE = {
  organizations: [organization(ORG), organization('org_cli_audit_other')],
  api_keys: [apiKey('key_cli_audit', ORG, TOKEN), apiKey('key_cli_audit_user', ORG, 'ch_sk_cli_audit_user_key', { scope_type: 'user' })],
  patients: [patient('pat_cli_ann', ORG), patient('pat_cli_bo', ORG)],
  encounters: [encounter('enc_cli_ann', ORG, 'pat_cli_ann', '2026-05-25T14:00:00Z'), encounter('enc_cli_bo', ORG, 'pat_cli_bo', '2026-05-26T14:00:00Z')],
  documents: [noteDocument('doc_cli_ann', 'enc_cli_ann')],
};

const jsonLines = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('npm run cli -- audit', () => {
  let scenario: CliScenario;
  const cli = (...args: string[]) => scenario.cli(...args);
  let startedAt: string;

  beforeAll(async () => {
    scenario = await createCliScenario();
    expect(await cli('fixtures', 'load', await scenario.file('fixture.json', FIXTURE))).toMatchObject({ code: 0 });
    startedAt = new Date().toISOString();
    await scenario.withApp(async (t) => {
      const get = (path: string, requestId: string, token = TOKEN, userAgent = 'cli-audit-suite') =>
        t.http().get(path).set('Authorization', bearer(token)).set('X-Request-Id', requestId).set('User-Agent', userAgent);
      await get('/external/v1/encounters', 'cli-audit-list').expect(200);
      await get('/external/v1/encounters/enc_cli_ann/documents/doc_cli_ann', 'cli-audit-document', TOKEN, '=HYPERLINK("x")').expect(200);
      await get('/external/v1/encounters/enc_cli_bo', 'cli-audit-denied', 'ch_sk_cli_audit_user_key').expect(403);
      // The denial's record is written after its answer: close() waits for it.
    });
  });
  afterAll(async () => {
    await scenario.close();
  });

  it('audit list --format jsonl: every record of the organization, oldest first, with what it disclosed, within --since and --until', async () => {
    const { code, stdout, stderr } = await cli('audit', 'list', '--org', ORG, '--format', 'jsonl');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(jsonLines(stdout)).toEqual([
      {
        occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/),
        request_id: 'cli-audit-list',
        organization_id: ORG,
        key_id: 'key_cli_audit',
        route_id: 'encounters.list',
        status: 200,
        reason_code: null,
        client_address: expect.any(String),
        user_agent: 'cli-audit-suite',
        disclosed: [
          { encounter_id: 'enc_cli_bo', patient_id: 'pat_cli_bo', document_ids: [] },
          { encounter_id: 'enc_cli_ann', patient_id: 'pat_cli_ann', document_ids: ['doc_cli_ann'] },
        ],
      },
      expect.objectContaining({ request_id: 'cli-audit-document', route_id: 'documents.read', status: 200 }),
      expect.objectContaining({
        request_id: 'cli-audit-denied',
        key_id: 'key_cli_audit_user',
        route_id: 'encounters.read',
        status: 403,
        reason_code: 'org_scope_only_required',
        disclosed: [],
      }),
    ]);

    // --since and --until bound the records: since included, until excluded.
    const second = jsonLines(stdout)[1].occurred_at as string;
    const fromSecond = jsonLines((await cli('audit', 'list', '--org', ORG, '--since', second, '--format', 'jsonl')).stdout);
    expect(fromSecond.map((record) => record.request_id)).toEqual(['cli-audit-document', 'cli-audit-denied']);
    const beforeSecond = jsonLines((await cli('audit', 'list', '--org', ORG, '--until', second, '--format', 'jsonl')).stdout);
    expect(beforeSecond.map((record) => record.request_id)).toEqual(['cli-audit-list']);
  });

  it('audit list as a table (the default) and as CSV, where a caller’s text cannot become a formula', async () => {
    const table = await cli('audit', 'list', '--org', ORG);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header.split(/ +/)).toEqual(['OCCURRED_AT', 'REQUEST_ID', 'KEY_ID', 'ROUTE', 'STATUS', 'REASON_CODE', 'CLIENT_ADDRESS', 'USER_AGENT', 'DISCLOSED']);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('enc_cli_bo (patient pat_cli_bo) | enc_cli_ann (patient pat_cli_ann; documents doc_cli_ann)');

    const csv = await cli('audit', 'list', '--org', ORG, '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe('OCCURRED_AT,REQUEST_ID,KEY_ID,ROUTE,STATUS,REASON_CODE,CLIENT_ADDRESS,USER_AGENT,DISCLOSED');
    expect(lines[2]).toContain(`,"'=HYPERLINK(""x"")",`);
  });

  it('audit patient: the disclosures of that patient only, with the organization’s name', async () => {
    const { code, stdout } = await cli('audit', 'patient', 'pat_cli_ann', '--since', startedAt, '--format', 'jsonl');
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toEqual([
      {
        occurred_at: expect.any(String),
        organization_id: ORG,
        organization_name: `Organization ${ORG}`,
        key_id: 'key_cli_audit',
        route_id: 'encounters.list',
        request_id: 'cli-audit-list',
        disclosed: [{ encounter_id: 'enc_cli_ann', patient_id: 'pat_cli_ann', document_ids: ['doc_cli_ann'] }],
      },
      expect.objectContaining({ route_id: 'documents.read', request_id: 'cli-audit-document' }),
    ]);
    const none = await cli('audit', 'patient', 'pat_cli_nobody');
    expect(none).toEqual({ code: 0, stdout: 'OCCURRED_AT  ORGANIZATION_ID  ORGANIZATION_NAME  KEY_ID  ROUTE  REQUEST_ID  DISCLOSED\n', stderr: '' });
  });

  it('streams a history longer than one batch, in order and without a gap or repeat', async () => {
    const count = 2_345;
    await scenario.withApp(async ({ dataSource }) => {
      // Same instant for many: the order within it is the record id's.
      await dataSource.query(
        `INSERT INTO phi_access_records (occurred_at, request_id, organization_id, key_id, route_id, status, disclosed, patient_ids)
         SELECT '2026-01-01T00:00:00Z'::timestamptz + (i / 7) * interval '1 millisecond', 'bulk-' || i, 'org_cli_audit_other', 'key_bulk', 'encounters.read', 200,
           jsonb_build_array(jsonb_build_object('encounter_id', 'enc_bulk', 'patient_id', 'pat_bulk', 'document_ids', '[]'::jsonb)), ARRAY['pat_bulk']
         FROM generate_series(1, ${count}) AS i`,
      );
    });
    const listed = jsonLines((await cli('audit', 'list', '--org', 'org_cli_audit_other', '--format', 'jsonl')).stdout);
    expect(listed.map((record) => record.request_id)).toEqual(Array.from({ length: count }, (_, index) => `bulk-${index + 1}`));
    const disclosures = jsonLines((await cli('audit', 'patient', 'pat_bulk', '--format', 'jsonl')).stdout);
    expect(disclosures).toHaveLength(count);
  });

  it.each([
    [['audit', 'list'], '--org is required'],
    [['audit', 'list', '--org', 'org_nowhere'], 'unknown organization "org_nowhere"'],
    [['audit', 'list', '--org', ORG, '--since', 'yesterday'], '--since "yesterday" is not an RFC 3339 date-time with an offset, like 2026-05-25T00:00:00Z'],
    [['audit', 'list', '--org', ORG, '--since', '2026-06-01T00:00:00Z', '--until', '2026-05-01T00:00:00Z'], '--since must be before --until'],
    [['audit', 'list', '--org', ORG, '--format', 'xml'], '--format must be one of table, jsonl, csv, got "xml"'],
  ])('refuses %j in one line', async (args, reason) => {
    expect(await cli(...args)).toEqual({ code: 1, stdout: '', stderr: `error: ${reason}\n` });
  });
});
