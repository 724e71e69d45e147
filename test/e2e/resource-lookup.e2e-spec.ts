import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const LIST = '/external/v1/encounters';
const TOKEN = 'ch_sk_lookup_full_access';

const detail = (encounterId: string) => `${LIST}/${encounterId}`;
const documentOf = (encounterId: string, documentId: string) => `${LIST}/${encounterId}/documents/${documentId}`;
const transcriptOf = (encounterId: string, documentId: string) => `${documentOf(encounterId, documentId)}/transcript`;

/** Checks 5 and 6 of the order of checks: query validation, then resource lookup. */
describe('query validation and resource lookup', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.load({
      organizations: [organization('org_lookup'), organization('org_lookup_other')],
      api_keys: [apiKey('key_lookup', 'org_lookup', TOKEN)],
      patients: [patient('pat_lookup', 'org_lookup'), patient('pat_lookup_other', 'org_lookup_other')],
      encounters: [
        encounter('enc_lookup', 'org_lookup', 'pat_lookup', '2026-05-25T14:00:00Z'),
        encounter('enc_lookup_second', 'org_lookup', 'pat_lookup', '2026-05-26T14:00:00Z'),
        encounter('enc_lookup_demo', 'org_lookup', 'pat_lookup', '2026-05-27T14:00:00Z', { purpose: 'demo' }),
        encounter('enc_lookup_training', 'org_lookup', 'pat_lookup', '2026-05-28T14:00:00Z', { purpose: 'training' }),
        encounter('enc_lookup_other_org', 'org_lookup_other', 'pat_lookup_other', '2026-05-25T14:00:00Z'),
      ],
      documents: [
        noteDocument('doc_note', 'enc_lookup', { status: 'signed', workflow_variant: 'soap' }),
        noteDocument('doc_note_empty', 'enc_lookup', { title: 'Draft note', content: null, created_at: '2026-05-25T14:40:00Z', updated_at: '2026-05-25T14:41:00.250Z' }),
        transcriptDocument('doc_ambient', 'enc_lookup', {
          transcript: {
            provider: 'deepgram',
            turns: [
              { speaker: 'clinician', start: 0, end: 1.6, text: 'Good morning.' },
              { speaker: 'patient', start: 1.8, end: 3.25, text: 'Morning, doctor.' },
            ],
          },
        }),
        transcriptDocument('doc_ambient_pending', 'enc_lookup', { transcript: null, audio_duration_seconds: null }),
        noteDocument('doc_avs', 'enc_lookup', { schema_type: 'after_visit_summary', title: 'After visit summary', content: null }),
        noteDocument('doc_second_note', 'enc_lookup_second'),
        noteDocument('doc_demo_note', 'enc_lookup_demo'),
        transcriptDocument('doc_training_ambient', 'enc_lookup_training'),
        noteDocument('doc_other_org_note', 'enc_lookup_other_org'),
        transcriptDocument('doc_other_org_ambient', 'enc_lookup_other_org'),
      ],
    });
  });
  afterAll(() => t.close());

  const get = (path: string) => t.http().get(path).set('Authorization', bearer(TOKEN));
  const list = (query: string) => get(`${LIST}?${query}`);

  describe('list route: unsupported keys', () => {
    it.each([
      ['a bracketed key', 'limit[]=1', 'limit[]'],
      ['a key in another case', 'LIMIT=1', 'LIMIT'],
      ['an unknown key with an empty value', 'foo=', 'foo'],
      ['a bare unknown key', 'foo', 'foo'],
      ['an unknown key after a valid one (the first unknown key is named)', 'limit=5&zzz=1&aaa=2', 'zzz'],
      ['an unknown key after an invalid value (keys are checked before values)', 'limit=0&sort=asc', 'sort'],
    ])('unsupported_filter: %s', async (_case, query, field) => {
      expectError(await list(query), 400, 'unsupported_filter', { field });
    });
  });

  describe('list route: values', () => {
    it.each([
      ['0', 'limit=0'],
      ['101', 'limit=101'],
      ['-1', 'limit=-1'],
      ['+1 (a form-encoded plus is a space)', 'limit=+1'],
      ['+1 (a percent-encoded plus)', 'limit=%2B1'],
      ['01', 'limit=01'],
      ['1.0', 'limit=1.0'],
      ['1e2', 'limit=1e2'],
      ['abc', 'limit=abc'],
      ['empty', 'limit='],
      ['given twice', 'limit=1&limit=2'],
    ])('invalid_limit: %s', async (_case, query) => {
      expectError(await list(query), 422, 'invalid_limit', { field: 'limit' });
    });

    it.each([
      ['-1', 'offset=-1'],
      ['10001', 'offset=10001'],
      ['01', 'offset=01'],
      ['empty', 'offset='],
      ['given twice', 'offset=0&offset=1'],
    ])('invalid_offset: %s', async (_case, query) => {
      expectError(await list(query), 422, 'invalid_offset', { field: 'offset' });
    });

    it.each([
      ['ASC', 'sort_order=ASC'],
      ['Desc', 'sort_order=Desc'],
      ['empty', 'sort_order='],
      ['given twice', 'sort_order=asc&sort_order=desc'],
    ])('invalid_sort: %s', async (_case, query) => {
      expectError(await list(query), 422, 'invalid_sort', { field: 'sort_order' });
    });

    it.each([
      ['a date-time without an offset', 'start_at=2026-05-01T00:00:00', 'start_at'],
      ['a date only', 'start_at=2026-05-01', 'start_at'],
      ['a day that does not exist', 'end_at=2026-02-30T00:00:00Z', 'end_at'],
      ['hour 24', 'start_at=2026-05-01T24:00:00Z', 'start_at'],
      ['garbage', 'end_at=yesterday', 'end_at'],
      ['empty', 'start_at=', 'start_at'],
      ['given twice', 'start_at=2026-05-01T00:00:00Z&start_at=2026-05-02T00:00:00Z', 'start_at'],
      ['start_at equal to end_at (no single field at fault)', 'start_at=2026-05-01T00:00:00Z&end_at=2026-05-01T00:00:00Z', null],
      ['start_at equal to end_at in another offset', 'start_at=2026-05-01T02:00:00%2B02:00&end_at=2026-05-01T00:00:00Z', null],
      ['start_at after end_at', 'start_at=2026-05-02T00:00:00Z&end_at=2026-05-01T00:00:00Z', null],
    ])('invalid_query: %s', async (_case, query, field) => {
      expectError(await list(query), 422, 'invalid_query', { field });
    });

    it('accepts the bounds limit=100 and offset=10000, echoing them', async () => {
      const response = await list('limit=100&offset=10000');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], limit: 100, offset: 10000, total: 2 });
    });

    it('accepts limit=1, offset=0, both sort orders and a window with Z and ±hh:mm offsets', async () => {
      const asc = await list('limit=1&offset=0&sort_order=asc&start_at=2026-05-25T16:00:00%2B02:00&end_at=2026-05-26T09:00:00-05:00');
      expect(asc.status).toBe(200);
      expect(asc.body).toMatchObject({ limit: 1, offset: 0, total: 1, items: [{ encounter_id: 'enc_lookup' }] });
      const desc = await list('sort_order=desc&start_at=2026-05-01T00:00:00Z');
      expect(desc.status).toBe(200);
      expect(desc.body).toMatchObject({ total: 2, items: [{ encounter_id: 'enc_lookup_second' }, { encounter_id: 'enc_lookup' }] });
    });

    it('accepts a window whose bounds differ by less than a millisecond (start_at < end_at holds)', async () => {
      const response = await list('start_at=2026-05-01T00:00:00.0001Z&end_at=2026-05-01T00:00:00.001Z');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], limit: 50, offset: 0, total: 0 });
    });
  });

  describe('routes that take no query', () => {
    it.each([
      ['detail', detail('enc_lookup'), 'limit=1', 'limit'],
      ['detail', detail('enc_lookup'), 'foo', 'foo'],
      ['detail', detail('enc_lookup'), 'foo=', 'foo'],
      ['document', documentOf('enc_lookup', 'doc_note'), 'include=content', 'include'],
      ['document', documentOf('enc_lookup', 'doc_note'), 'offset=0&limit=1', 'offset'],
      ['transcript', transcriptOf('enc_lookup', 'doc_ambient'), 'format', 'format'],
      ['transcript', transcriptOf('enc_lookup', 'doc_ambient'), 'sort_order=asc', 'sort_order'],
    ])('unsupported_filter: any query on the %s route (%s?%s)', async (_route, path, query, field) => {
      expectError(await get(`${path}?${query}`), 400, 'unsupported_filter', { field });
    });
  });

  describe('encounter lookup (detail, document and transcript routes)', () => {
    it.each([
      ['detail, an unknown id', detail('enc_unknown')],
      ['detail, an id that looks well formed', detail('enc_9YpJvK2')],
      ['document', documentOf('enc_unknown', 'doc_note')],
      ['transcript', transcriptOf('enc_unknown', 'doc_ambient')],
      // PostgreSQL refuses a NUL byte in text: such an id exists nowhere, and is answered so.
      ['detail, a NUL byte', detail('%00')],
      ['detail, an id with a NUL byte inside', detail('enc_lookup%00')],
      ['document, a NUL byte in the encounter id', documentOf('enc%00', 'doc_note')],
      ['audio, a NUL byte in the encounter id', `${documentOf('%00', 'doc_ambient')}/audio`],
    ])('encounter_not_found: %s', async (_case, path) => {
      expectError(await get(path), 404, 'encounter_not_found');
    });

    it.each([
      ['detail', detail('enc_lookup_other_org')],
      ['document', documentOf('enc_lookup_other_org', 'doc_other_org_note')],
      ['transcript', transcriptOf('enc_lookup_other_org', 'doc_other_org_ambient')],
    ])('cross_organization_denied: another organization encounter on the %s route', async (_route, path) => {
      expectError(await get(path), 403, 'cross_organization_denied');
    });

    it.each([
      ['a demo encounter, detail', detail('enc_lookup_demo')],
      ['a training encounter, detail', detail('enc_lookup_training')],
      ['a demo encounter, document', documentOf('enc_lookup_demo', 'doc_demo_note')],
      ['a training encounter, document', documentOf('enc_lookup_training', 'doc_training_ambient')],
      ['a training encounter, transcript', transcriptOf('enc_lookup_training', 'doc_training_ambient')],
    ])('demo_training_denied: %s', async (_case, path) => {
      expectError(await get(path), 403, 'demo_training_denied');
    });

    it('serves a clinical encounter of the caller organization, documents in created_at order', async () => {
      const response = await get(detail('enc_lookup'));
      expect(response.status).toBe(200);
      // toMatchObject on an array checks its length and order too.
      expect(response.body.encounter).toMatchObject({
        encounter_id: 'enc_lookup',
        organization_id: 'org_lookup',
        documents: ['doc_ambient', 'doc_ambient_pending', 'doc_avs', 'doc_note', 'doc_note_empty'].map((document_id) => ({ document_id })),
      });
    });
  });

  describe('document lookup', () => {
    it.each([
      ['document, an unknown document', documentOf('enc_lookup', 'doc_unknown')],
      ['document, a document of another encounter of the same organization', documentOf('enc_lookup', 'doc_second_note')],
      ['document, a document of another organization', documentOf('enc_lookup', 'doc_other_org_note')],
      ['document, a NUL byte in the document id', documentOf('enc_lookup', 'doc_note%00')],
      ['transcript, a NUL byte in the document id', transcriptOf('enc_lookup', 'x%00')],
      ['transcript, an unknown document', transcriptOf('enc_lookup', 'doc_unknown')],
      ['transcript, a document of another encounter', transcriptOf('enc_lookup_second', 'doc_ambient')],
    ])('document_not_found: %s', async (_case, path) => {
      expectError(await get(path), 404, 'document_not_found');
    });

    it.each([
      ['the document route on an after_visit_summary', documentOf('enc_lookup', 'doc_avs')],
      ['the transcript route on a document note', transcriptOf('enc_lookup', 'doc_note')],
      ['the transcript route on an after_visit_summary', transcriptOf('enc_lookup', 'doc_avs')],
    ])('unsupported_document_type: %s', async (_case, path) => {
      expectError(await get(path), 400, 'unsupported_document_type');
    });

    it('transcript_not_found: an ambient transcript that has no transcript yet', async () => {
      expectError(await get(transcriptOf('enc_lookup', 'doc_ambient_pending')), 404, 'transcript_not_found');
    });
  });

  describe('document and transcript bodies', () => {
    it('document route, a note with a body: its content', async () => {
      const response = await get(documentOf('enc_lookup', 'doc_note'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        document: {
          document_id: 'doc_note',
          encounter_id: 'enc_lookup',
          schema_type: 'document',
          title: 'Progress note',
          status: 'signed',
          workflow_variant: 'soap',
          created_at: '2026-05-25T14:30:00Z',
          updated_at: '2026-05-25T14:30:00Z',
          content: { format: 'markdown', text: '## Assessment\nStable.' },
        },
      });
    });

    it('document route, a note without a body yet: content null', async () => {
      const response = await get(documentOf('enc_lookup', 'doc_note_empty'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        document: {
          document_id: 'doc_note_empty',
          encounter_id: 'enc_lookup',
          schema_type: 'document',
          title: 'Draft note',
          status: null,
          workflow_variant: null,
          created_at: '2026-05-25T14:40:00Z',
          updated_at: '2026-05-25T14:41:00.250Z',
          content: null,
        },
      });
    });

    it('document route, an ambient transcript: metadata only, no content or transcript', async () => {
      const response = await get(documentOf('enc_lookup', 'doc_ambient'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        document: {
          document_id: 'doc_ambient',
          encounter_id: 'enc_lookup',
          schema_type: 'ambient_transcript',
          title: 'Ambient transcript',
          status: 'completed',
          workflow_variant: 'ambient',
          audio_duration_seconds: 842.4,
          created_at: '2026-05-25T14:10:00Z',
          updated_at: '2026-05-25T14:20:00Z',
        },
      });
    });

    it('document route, an ambient transcript still without one: metadata only as well', async () => {
      const response = await get(documentOf('enc_lookup', 'doc_ambient_pending'));
      expect(response.status).toBe(200);
      expect(Object.keys(response.body.document).sort()).toEqual([
        'audio_duration_seconds',
        'created_at',
        'document_id',
        'encounter_id',
        'schema_type',
        'status',
        'title',
        'updated_at',
        'workflow_variant',
      ]);
      expect(response.body.document.audio_duration_seconds).toBeNull();
    });

    it('transcript route: provider, duration and every turn', async () => {
      const response = await get(transcriptOf('enc_lookup', 'doc_ambient'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        encounter_id: 'enc_lookup',
        document_id: 'doc_ambient',
        transcript: {
          provider: 'deepgram',
          audio_duration_seconds: 842.4,
          turns: [
            { speaker: 'clinician', start: 0, end: 1.6, text: 'Good morning.' },
            { speaker: 'patient', start: 1.8, end: 3.25, text: 'Morning, doctor.' },
          ],
        },
      });
    });
  });

  // Exact paths, dot segments, undecodable paths and bodies: test/e2e/http-edges.e2e-spec.ts, over raw sockets.
  describe('unknown routes', () => {
    it.each([
      ['an unknown path under v1', () => get('/external/v1/nope')],
      ['another API version', () => get('/external/v2/encounters')],
      // Paths are case-sensitive: the routes and the no-store rule are written for /external/ only.
      ['the list path in another case', () => get('/External/V1/Encounters')],
      ['a path below the transcript', () => get(`${transcriptOf('enc_lookup', 'doc_ambient')}/turns`)],
      ['a POST to the list route', () => t.http().post(LIST).set('Authorization', bearer(TOKEN))],
      ['a DELETE of an encounter', () => t.http().delete(detail('enc_lookup')).set('Authorization', bearer(TOKEN))],
    ])('route_not_found: %s', async (_case, send) => {
      const response = await send();
      expectError(response, 404, 'route_not_found');
      expect(response.body.error).toBe('not_found');
      expect(response.headers['x-request-id']).toBe(response.body.request_id);
    });
  });
});
