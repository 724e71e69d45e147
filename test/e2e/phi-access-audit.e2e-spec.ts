/**
 * The PHI access audit (docs/api.md "PHI access audit"): one record per partner-route answer
 * to an authenticated key and per media fetch, with the ids a 2xx disclosed; committed before
 * the data leaves; refused UPDATE and DELETE; and the accounting of one patient's disclosures.
 */
import { PhiAccessLog } from '../../src/audit/phi-access-log';
import { PhiAccessQueries, type PatientDisclosureView } from '../../src/audit/phi-access-queries';
import { createCliScenario } from '../support/cli-scenario';
import { ENCOUNTER_SCOPES, apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { pollUntil } from '../support/real-time';
import { fetchMedia, recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, type TestApp } from '../support/test-app';

const ORG = 'org_audit_a';
const TOKEN = 'ch_sk_audit_full_access';
const ENCOUNTERS = '/external/v1/encounters';

function scenario(files: RecordingFiles) {
  return {
    organizations: [organization(ORG), organization('org_audit_b')],
    api_keys: [
      apiKey('key_audit_full', ORG, TOKEN),
      apiKey('key_audit_user', ORG, 'ch_sk_audit_user_scoped', { scope_type: 'user' }),
      apiKey('key_audit_narrow', ORG, 'ch_sk_audit_no_recordings', { scopes: ENCOUNTER_SCOPES }),
      apiKey('key_audit_b', 'org_audit_b', 'ch_sk_audit_other_org'),
    ],
    patients: [patient('pat_jane', ORG), patient('pat_ravi', ORG, { first_name: 'Ravi', last_name: 'Shah' }), patient('pat_b', 'org_audit_b')],
    encounters: [
      encounter('enc_jane_1', ORG, 'pat_jane', '2026-05-25T14:00:00Z'),
      encounter('enc_jane_2', ORG, 'pat_jane', '2026-05-26T14:00:00Z'),
      encounter('enc_ravi', ORG, 'pat_ravi', '2026-05-27T14:00:00Z'),
      encounter('enc_b', 'org_audit_b', 'pat_b', '2026-05-25T14:00:00Z'),
    ],
    documents: [
      transcriptDocument('doc_jane_ambient', 'enc_jane_1', { recording: { file: `${files.dir}/visit.wav`, content_type: 'audio/wav' } }),
      noteDocument('doc_jane_note', 'enc_jane_1'),
      noteDocument('doc_ravi_note', 'enc_ravi'),
    ],
  };
}

interface RecordRow {
  request_id: string;
  organization_id: string;
  key_id: string;
  route_id: string;
  status: number;
  reason_code: string | null;
  client_address: string | null;
  user_agent: string | null;
  disclosed: unknown[];
  patient_ids: string[];
}

describe('PHI access audit', () => {
  let t: TestApp;
  let files: RecordingFiles;
  let requestNumber = 0;

  beforeAll(async () => {
    files = await recordingFiles();
    await files.write('visit.wav', 10_000);
    t = await startTestApp();
    await t.load(scenario(files));
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  /** A request with a request id of its own, to find its records by. */
  async function call(path: string, token: string | null) {
    const requestId = `audit-test-${++requestNumber}`;
    let request = t.http().get(path).set('X-Request-Id', requestId).set('User-Agent', 'audit-suite/1.0');
    if (token !== null) request = request.set('Authorization', bearer(token));
    return { requestId, response: await request };
  }

  const recordsOf = (requestId: string): Promise<RecordRow[]> =>
    t.dataSource.query(
      `SELECT request_id, organization_id, key_id, route_id, status, reason_code, client_address, user_agent, disclosed, patient_ids
       FROM phi_access_records WHERE request_id = $1`,
      [requestId],
    );

  /**
   * The records of a request answered before its record, if any, is written (a denial, or what
   * is not recorded at all): read once the record of a later denial is committed. Records are
   * queued as their answers close and written in that order, so by then any record of
   * `requestId` is there too, and no other can follow.
   */
  async function settledRecordsOf(requestId: string): Promise<RecordRow[]> {
    const later = await call(`${ENCOUNTERS}/enc_nowhere`, TOKEN);
    expect(later.response.status).toBe(404);
    await pollUntil(
      () => recordsOf(later.requestId),
      (rows) => rows.length === 1,
    );
    return recordsOf(requestId);
  }

  describe('a 2xx is recorded, with what it disclosed, before its body is sent', () => {
    // Each record is read as soon as the response has arrived, without waiting: it must already be committed.
    it('encounters.list: every encounter, patient and document of the page', async () => {
      const { requestId, response } = await call(`${ENCOUNTERS}?sort_order=asc`, TOKEN);
      expect(response.status).toBe(200);
      expect(await recordsOf(requestId)).toEqual([
        {
          request_id: requestId,
          organization_id: ORG,
          key_id: 'key_audit_full',
          route_id: 'encounters.list',
          status: 200,
          reason_code: null,
          client_address: expect.stringMatching(/127\.0\.0\.1$/),
          user_agent: 'audit-suite/1.0',
          disclosed: [
            { encounter_id: 'enc_jane_1', patient_id: 'pat_jane', document_ids: ['doc_jane_ambient', 'doc_jane_note'] },
            { encounter_id: 'enc_jane_2', patient_id: 'pat_jane', document_ids: [] },
            { encounter_id: 'enc_ravi', patient_id: 'pat_ravi', document_ids: ['doc_ravi_note'] },
          ],
          patient_ids: expect.arrayContaining(['pat_jane', 'pat_ravi']),
        },
      ]);
      expect((await recordsOf(requestId))[0].patient_ids).toHaveLength(2);
    });

    it.each([
      ['encounters.read', `${ENCOUNTERS}/enc_jane_1`, { encounter_id: 'enc_jane_1', patient_id: 'pat_jane', document_ids: ['doc_jane_ambient', 'doc_jane_note'] }],
      ['documents.read', `${ENCOUNTERS}/enc_ravi/documents/doc_ravi_note`, { encounter_id: 'enc_ravi', patient_id: 'pat_ravi', document_ids: ['doc_ravi_note'] }],
      [
        'documents.transcript',
        `${ENCOUNTERS}/enc_jane_1/documents/doc_jane_ambient/transcript`,
        { encounter_id: 'enc_jane_1', patient_id: 'pat_jane', document_ids: ['doc_jane_ambient'] },
      ],
    ])('%s: the encounter, its patient and the documents shown', async (routeId, path, item) => {
      const { requestId, response } = await call(path, TOKEN);
      expect(response.status).toBe(200);
      const [record, ...others] = await recordsOf(requestId);
      expect(others).toEqual([]);
      expect(record).toMatchObject({ route_id: routeId, status: 200, reason_code: null, key_id: 'key_audit_full', disclosed: [item], patient_ids: [item.patient_id] });
    });

    it('documents.audio and the media fetch of its URL: each a record naming the recording', async () => {
      const { requestId, response } = await call(`${ENCOUNTERS}/enc_jane_1/documents/doc_jane_ambient/audio`, TOKEN);
      expect(response.status).toBe(200);
      const [issued] = await recordsOf(requestId);
      const recordingId = (issued.disclosed[0] as { recording_id: string }).recording_id;
      expect(recordingId).toMatch(/^rec_/);
      const item = { encounter_id: 'enc_jane_1', patient_id: 'pat_jane', document_ids: ['doc_jane_ambient'], recording_id: recordingId };
      expect(issued).toMatchObject({ route_id: 'documents.audio', status: 200, disclosed: [item] });

      const fetched = await fetchMedia(response.body.audio_url, { headers: { 'X-Request-Id': 'audit-media-1', Range: 'bytes=0-99' } });
      expect(fetched.status).toBe(206);
      expect(await recordsOf('audit-media-1')).toEqual([
        expect.objectContaining({ route_id: 'media.fetch', status: 206, organization_id: ORG, key_id: 'key_audit_full', reason_code: null, disclosed: [item] }),
      ]);

      const unsatisfiable = await fetchMedia(response.body.audio_url, { headers: { 'X-Request-Id': 'audit-media-2', Range: 'bytes=99999-' } });
      expect(unsatisfiable.status).toBe(416);
      expect(await recordsOf('audit-media-2')).toEqual([
        expect.objectContaining({ route_id: 'media.fetch', status: 416, reason_code: 'range_not_satisfiable', disclosed: [], patient_ids: [] }),
      ]);
    });

    it('group commit: records that arrive while an INSERT is in flight go together in the next', async () => {
      const audit = t.app.get(PhiAccessLog);
      // Denials of earlier tests are written after their response: none may be in flight here.
      await audit.settled();
      const insert = jest.spyOn(t.dataSource, 'query');
      try {
        const records = Array.from({ length: 50 }, (_, i) => ({
          occurredAt: new Date(),
          requestId: `audit-group-${i}`,
          organizationId: ORG,
          keyId: 'key_audit_full',
          routeId: 'encounters.read',
          status: 403,
          reasonCode: 'missing_scope',
          clientAddress: null,
          userAgent: null,
          disclosed: [],
        }));
        // All in one turn of the event loop: the first goes at once, the 49 others wait for it, then go together.
        await Promise.all(records.map((record) => audit.append(record)));
        expect(insert).toHaveBeenCalledTimes(2);
      } finally {
        insert.mockRestore();
      }
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM phi_access_records WHERE request_id LIKE 'audit-group-%'`);
      expect(count).toBe(50);
    });

    it('concurrent requests: one record each', async () => {
      const calls = await Promise.all(Array.from({ length: 25 }, () => call(`${ENCOUNTERS}/enc_ravi`, TOKEN)));
      for (const { requestId, response } of calls) {
        expect(response.status).toBe(200);
        expect(await recordsOf(requestId)).toHaveLength(1);
      }
    });
  });

  describe('a denial to an authenticated key is recorded with its reason code, and nothing disclosed', () => {
    it.each([
      ['org_scope_only_required', 403, `${ENCOUNTERS}`, 'ch_sk_audit_user_scoped', 'encounters.list'],
      ['missing_scope', 403, `${ENCOUNTERS}/enc_jane_1/documents/doc_jane_ambient/audio`, 'ch_sk_audit_no_recordings', 'documents.audio'],
      ['unsupported_filter', 400, `${ENCOUNTERS}?patient_id=pat_jane`, TOKEN, 'encounters.list'],
      ['invalid_limit', 422, `${ENCOUNTERS}?limit=0`, TOKEN, 'encounters.list'],
      ['encounter_not_found', 404, `${ENCOUNTERS}/enc_nowhere`, TOKEN, 'encounters.read'],
      ['cross_organization_denied', 403, `${ENCOUNTERS}/enc_b`, TOKEN, 'encounters.read'],
      ['document_not_found', 404, `${ENCOUNTERS}/enc_ravi/documents/doc_jane_note`, TOKEN, 'documents.read'],
    ])('%s', async (reasonCode, status, path, token, routeId) => {
      const { requestId, response } = await call(path, token);
      expect(response.status).toBe(status);
      expect(response.body.reason_code).toBe(reasonCode);
      expect(await settledRecordsOf(requestId)).toEqual([
        expect.objectContaining({ route_id: routeId, status, reason_code: reasonCode, organization_id: ORG, disclosed: [], patient_ids: [] }),
      ]);
    });

    it('a failed authentication is not: it has no key to attribute it to (logs and metrics have it)', async () => {
      for (const token of [null, 'not-a-key', 'ch_sk_audit_no_such_key']) {
        const { requestId, response } = await call(ENCOUNTERS, token);
        expect(response.status).toBe(401);
        expect(await settledRecordsOf(requestId)).toEqual([]);
      }
    });

    it('a tampered media URL is not: its key is not known', async () => {
      const { response } = await call(`${ENCOUNTERS}/enc_jane_1/documents/doc_jane_ambient/audio`, TOKEN);
      const tampered = new URL(response.body.audio_url);
      tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 1));
      const fetched = await fetchMedia(tampered.toString(), { headers: { 'X-Request-Id': 'audit-media-tampered' } });
      expect(fetched.status).toBe(403);
      expect(await settledRecordsOf('audit-media-tampered')).toEqual([]);
    });
  });

  it('the database refuses UPDATE and DELETE of records, even by the table owner', async () => {
    const { requestId } = await call(`${ENCOUNTERS}/enc_jane_2`, TOKEN);
    await expect(t.dataSource.query(`UPDATE phi_access_records SET status = 500 WHERE request_id = $1`, [requestId])).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM phi_access_records WHERE request_id = $1`, [requestId])).rejects.toThrow(/append-only/);
    // Through a partition too: the trigger is cloned onto each.
    const [{ partition }] = await t.dataSource.query(`SELECT tableoid::regclass::text AS partition FROM phi_access_records WHERE request_id = $1`, [requestId]);
    expect(partition).toMatch(/^phi_access_records_\d{4}_\d{2}$/);
    await expect(t.dataSource.query(`DELETE FROM ${partition} WHERE request_id = $1`, [requestId])).rejects.toThrow(/append-only/);
    expect(await recordsOf(requestId)).toEqual([expect.objectContaining({ status: 200 })]);
  });

  it('disclosed ids are compressed with LZ4 where the server has it, in every partition, the months created later too', async () => {
    const [{ lz4 }] = await t.dataSource.query<{ lz4: boolean }[]>(`SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`);
    await t.dataSource.query(`SELECT ensure_phi_access_partitions(now() + interval '1 year', 0)`);
    const tables = await t.dataSource.query<{ table_name: string; compression: string }[]>(
      `SELECT a.attrelid::regclass::text AS table_name, a.attcompression::text AS compression FROM pg_attribute a
       WHERE a.attname = 'disclosed'
         AND (a.attrelid = 'phi_access_records'::regclass OR a.attrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'phi_access_records'::regclass))`,
    );
    // The parent, DEFAULT, and this month, the next two and the one a year ahead.
    expect(tables.length).toBeGreaterThanOrEqual(6);
    // 'l' is LZ4; empty is the server's default_toast_compression (pglz: PGlite has no LZ4).
    for (const table of tables) expect(table).toEqual({ table_name: table.table_name, compression: lz4 ? 'l' : '' });
  });

  it('audit patient: exactly the disclosures that contained the patient, with only that patient’s items', async () => {
    const since = new Date();
    const ravi = [
      (await call(`${ENCOUNTERS}?sort_order=desc`, TOKEN)).requestId, // Jane's and Ravi's encounters
      (await call(`${ENCOUNTERS}/enc_ravi/documents/doc_ravi_note`, TOKEN)).requestId,
    ];
    await call(`${ENCOUNTERS}/enc_jane_1`, TOKEN); // Jane's alone
    await call(`${ENCOUNTERS}/enc_ravi`, 'ch_sk_audit_user_scoped'); // denied: nothing disclosed
    await call(`${ENCOUNTERS}/enc_b`, TOKEN); // denied: another organization's

    const disclosures: PatientDisclosureView[] = [];
    for await (const batch of t.app.get(PhiAccessQueries).byPatient('pat_ravi', { since })) disclosures.push(...batch);
    expect(
      disclosures.map(({ request_id, route_id, organization_id, organization_name, key_id, disclosed }) => ({
        request_id,
        route_id,
        organization_id,
        organization_name,
        key_id,
        disclosed,
      })),
    ).toEqual([
      {
        request_id: ravi[0],
        route_id: 'encounters.list',
        organization_id: ORG,
        organization_name: `Organization ${ORG}`,
        key_id: 'key_audit_full',
        disclosed: [{ encounter_id: 'enc_ravi', patient_id: 'pat_ravi', document_ids: ['doc_ravi_note'] }],
      },
      {
        request_id: ravi[1],
        route_id: 'documents.read',
        organization_id: ORG,
        organization_name: `Organization ${ORG}`,
        key_id: 'key_audit_full',
        disclosed: [{ encounter_id: 'enc_ravi', patient_id: 'pat_ravi', document_ids: ['doc_ravi_note'] }],
      },
    ]);
  });

  it('a list answered with no item discloses nothing: recorded, with an empty disclosure', async () => {
    const { requestId, response } = await call(`${ENCOUNTERS}?start_at=2030-01-01T00:00:00Z`, TOKEN);
    expect(response.status).toBe(200);
    expect(await recordsOf(requestId)).toEqual([expect.objectContaining({ route_id: 'encounters.list', status: 200, disclosed: [], patient_ids: [] })]);
  });
});

describe('PHI access audit at shutdown', () => {
  it('records queued by the last requests are written before the database pool closes', async () => {
    // A database that outlives the app (on disk, or PostgreSQL): the records are read by the next one.
    const scenario = await createCliScenario();
    try {
      await scenario.withApp(async (t) => {
        const audit = t.app.get(PhiAccessLog);
        for (let i = 0; i < 50; i += 1) {
          audit.appendAfterResponse({
            occurredAt: new Date(),
            requestId: `audit-at-shutdown-${i}`,
            organizationId: 'org_shutdown',
            keyId: 'key_shutdown',
            routeId: 'encounters.read',
            status: 403,
            reasonCode: 'missing_scope',
            clientAddress: '127.0.0.1',
            userAgent: null,
            disclosed: [],
          });
        }
        // withApp closes the app as soon as this returns: the records are still queued.
      });
      const [{ count }] = await scenario.withApp(({ dataSource }) =>
        dataSource.query(`SELECT count(*)::int AS count FROM phi_access_records WHERE organization_id = 'org_shutdown'`),
      );
      expect(count).toBe(50);
    } finally {
      await scenario.close();
    }
  });
});
