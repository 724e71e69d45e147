import type { Response } from 'supertest';
import { GUIDE_DETAIL_EXAMPLE, GUIDE_LIST_EXAMPLE } from '../../src/encounters/dto/guide-examples';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, ENCOUNTER_SCOPES, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const LIST = '/external/v1/encounters';
const API_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The guide's example key: its curl lines work as printed against the guide fixtures. */
const GUIDE_TOKEN = 'ch_sk_example_123';
const PAGE_TOKEN = 'ch_sk_list_paging';
const TIE_TOKEN = 'ch_sk_list_ties';
const WINDOW_TOKEN = 'ch_sk_list_window';
const A_TOKEN = 'ch_sk_list_org_a';
const B_TOKEN = 'ch_sk_list_org_b';
const DOCS_TOKEN = 'ch_sk_list_documents';

const PAGE_COUNT = 120;
const pageId = (i: number) => `enc_page_${String(i).padStart(3, '0')}`;
const hourAfterNewYear = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString().replace('.000Z', 'Z');
/** Every clinical encounter of org_page, newest first (the default order). */
const PAGE_DESC = Array.from({ length: PAGE_COUNT }, (_, i) => pageId(PAGE_COUNT - 1 - i));

/** The guide's example organization, patient and encounter, as both examples share them. */
function guideFixture(encounterType: string) {
  return {
    organizations: [organization('org_7Df4')],
    api_keys: [apiKey('key_7Df4', 'org_7Df4', GUIDE_TOKEN, { scopes: ENCOUNTER_SCOPES })],
    patients: [patient('pat_3Qn8', 'org_7Df4')],
    encounters: [
      encounter('enc_9YpJvK2', 'org_7Df4', 'pat_3Qn8', '2026-05-25T14:00:00Z', {
        encounter_type: encounterType,
        updated_at: '2026-05-25T15:00:00Z',
      }),
    ],
  };
}

function ids(response: Response): string[] {
  expect(response.status).toBe(200);
  return response.body.items.map((item: { encounter_id: string }) => item.encounter_id);
}

describe('GET /external/v1/encounters: paging, order, window and bodies', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const guide = guideFixture('ambient');
    const orgs = ['org_page', 'org_tie', 'org_window', 'org_a', 'org_b', 'org_docs'];
    await t.load({
      organizations: [...guide.organizations, ...orgs.map((id) => organization(id))],
      api_keys: [
        ...guide.api_keys,
        apiKey('key_page', 'org_page', PAGE_TOKEN),
        apiKey('key_tie', 'org_tie', TIE_TOKEN),
        apiKey('key_window', 'org_window', WINDOW_TOKEN),
        apiKey('key_a', 'org_a', A_TOKEN),
        apiKey('key_b', 'org_b', B_TOKEN),
        apiKey('key_docs', 'org_docs', DOCS_TOKEN),
      ],
      patients: [
        ...guide.patients,
        ...orgs.map((org) => patient(`pat_${org}`, org)),
        patient('pat_ada', 'org_docs', { first_name: 'Ada', last_name: 'Lovelace', date_of_birth: '1815-12-10' }),
      ],
      encounters: [
        ...guide.encounters,
        ...Array.from({ length: PAGE_COUNT }, (_, i) => encounter(pageId(i), 'org_page', 'pat_org_page', hourAfterNewYear(i))),
        // Hidden encounters interleaved with (and sorting among) the listed ones.
        ...[5, 50, 99].map((i) => encounter(`enc_page_${i}_demo`, 'org_page', 'pat_org_page', hourAfterNewYear(i), { purpose: 'demo' })),
        ...[0, 60, 119].map((i) => encounter(`enc_page_${i}_training`, 'org_page', 'pat_org_page', hourAfterNewYear(i), { purpose: 'training' })),

        // Listed in the fixture out of id order, so that insertion order cannot pass for the tie-break.
        encounter('enc_tie_late', 'org_tie', 'pat_org_tie', '2026-05-25T15:00:00Z'),
        encounter('enc_tie_b', 'org_tie', 'pat_org_tie', '2026-05-25T14:00:00Z'),
        encounter('enc_tie_d', 'org_tie', 'pat_org_tie', '2026-05-25T14:00:00Z'),
        encounter('enc_tie_a', 'org_tie', 'pat_org_tie', '2026-05-25T14:00:00Z'),
        encounter('enc_tie_c', 'org_tie', 'pat_org_tie', '2026-05-25T14:00:00Z'),
        encounter('enc_tie_early', 'org_tie', 'pat_org_tie', '2026-05-25T13:00:00Z'),
        encounter('enc_tie_demo', 'org_tie', 'pat_org_tie', '2026-05-25T14:00:00Z', { purpose: 'demo' }),

        encounter('enc_w1', 'org_window', 'pat_org_window', '2026-05-25T13:59:59Z'),
        encounter('enc_w2', 'org_window', 'pat_org_window', '2026-05-25T14:00:00Z'),
        encounter('enc_w3', 'org_window', 'pat_org_window', '2026-05-25T15:00:00Z'),
        encounter('enc_w4', 'org_window', 'pat_org_window', '2026-05-25T15:59:59Z'),
        encounter('enc_w5', 'org_window', 'pat_org_window', '2026-05-25T16:00:00Z'),
        encounter('enc_w6', 'org_window', 'pat_org_window', '2026-05-25T17:00:00Z'),
        encounter('enc_w_demo', 'org_window', 'pat_org_window', '2026-05-25T15:00:00Z', { purpose: 'demo' }),
        encounter('enc_w_training', 'org_window', 'pat_org_window', '2026-05-25T14:00:00Z', { purpose: 'training' }),

        // Two organizations with encounters at the same instants.
        encounter('enc_a1', 'org_a', 'pat_org_a', '2026-05-25T14:00:00Z'),
        encounter('enc_a2', 'org_a', 'pat_org_a', '2026-05-25T15:00:00Z'),
        encounter('enc_b1', 'org_b', 'pat_org_b', '2026-05-25T14:00:00Z'),

        encounter('enc_docs', 'org_docs', 'pat_ada', '2026-05-25T14:00:00Z', { encounter_type: 'clinical_documentation' }),
        encounter('enc_docs_none', 'org_docs', 'pat_ada', '2026-05-25T13:00:00Z'),
      ],
      documents: [
        transcriptDocument('doc_Ambient1', 'enc_9YpJvK2'),
        // Out of order on purpose; doc_d_a and doc_d_b share a created_at.
        noteDocument('doc_d_late', 'enc_docs', { created_at: '2026-05-25T14:30:00Z', status: 'signed', workflow_variant: 'soap' }),
        transcriptDocument('doc_d_b', 'enc_docs', { created_at: '2026-05-25T14:10:00Z', audio_duration_seconds: 60 }),
        noteDocument('doc_d_a', 'enc_docs', { created_at: '2026-05-25T14:10:00Z' }),
        noteDocument('doc_d_early', 'enc_docs', { schema_type: 'visit_summary', title: 'Visit summary', content: null, created_at: '2026-05-25T14:05:00Z' }),
      ],
    });
  });
  afterAll(() => t.close());

  const list = (token: string, query: Record<string, string | number> = {}) => t.http().get(LIST).query(query).set('Authorization', bearer(token));

  describe('page size', () => {
    it('defaults to limit 50 and offset 0, newest first', async () => {
      const response = await list(PAGE_TOKEN);
      expect(ids(response)).toEqual(PAGE_DESC.slice(0, 50));
      expect({ limit: response.body.limit, offset: response.body.offset, total: response.body.total }).toEqual({ limit: 50, offset: 0, total: PAGE_COUNT });
    });

    it('serves up to 100 items, the maximum limit, and echoes it', async () => {
      const response = await list(PAGE_TOKEN, { limit: 100 });
      expect(ids(response)).toEqual(PAGE_DESC.slice(0, 100));
      expect(response.body.limit).toBe(100);
      expect(response.body.total).toBe(PAGE_COUNT);
    });

    it('refuses a limit above 100 instead of capping it', async () => {
      expectError(await list(PAGE_TOKEN, { limit: 101 }), 422, 'invalid_limit', { field: 'limit' });
    });

    it('echoes a smaller limit and returns that many items', async () => {
      const response = await list(PAGE_TOKEN, { limit: 7 });
      expect(ids(response)).toEqual(PAGE_DESC.slice(0, 7));
      expect(response.body.limit).toBe(7);
    });
  });

  describe('offset paging', () => {
    it('returns consecutive slices, and total counts every match, not the page', async () => {
      const pages = await Promise.all([0, 50, 100].map((offset) => list(PAGE_TOKEN, { limit: 50, offset })));
      expect(pages.map(ids)).toEqual([PAGE_DESC.slice(0, 50), PAGE_DESC.slice(50, 100), PAGE_DESC.slice(100)]);
      expect(pages.map((page) => [page.body.offset, page.body.total])).toEqual([
        [0, PAGE_COUNT],
        [50, PAGE_COUNT],
        [100, PAGE_COUNT],
      ]);
    });

    it('pages at an arbitrary offset', async () => {
      const response = await list(PAGE_TOKEN, { limit: 3, offset: 17 });
      expect(ids(response)).toEqual(PAGE_DESC.slice(17, 20));
      expect(response.body.offset).toBe(17);
    });

    it('returns no items past the end, with the total still counted', async () => {
      const response = await list(PAGE_TOKEN, { offset: PAGE_COUNT });
      expect(response.body).toEqual({ items: [], limit: 50, offset: PAGE_COUNT, total: PAGE_COUNT });
    });

    it('pages ascending too', async () => {
      const response = await list(PAGE_TOKEN, { sort_order: 'asc', limit: 10, offset: 110 });
      expect(ids(response)).toEqual([...PAGE_DESC].reverse().slice(110));
    });
  });

  describe('sort order', () => {
    it('sort_order=desc is newest first, like the default', async () => {
      expect(ids(await list(PAGE_TOKEN, { sort_order: 'desc', limit: 100 }))).toEqual(PAGE_DESC.slice(0, 100));
    });

    it('sort_order=asc is oldest first', async () => {
      expect(ids(await list(PAGE_TOKEN, { sort_order: 'asc', limit: 100 }))).toEqual([...PAGE_DESC].reverse().slice(0, 100));
    });

    it('breaks created_at ties by encounter_id, descending with desc (and by default)', async () => {
      const expected = ['enc_tie_late', 'enc_tie_d', 'enc_tie_c', 'enc_tie_b', 'enc_tie_a', 'enc_tie_early'];
      expect(ids(await list(TIE_TOKEN, { sort_order: 'desc' }))).toEqual(expected);
      expect(ids(await list(TIE_TOKEN))).toEqual(expected);
    });

    it('breaks created_at ties by encounter_id, ascending with asc', async () => {
      expect(ids(await list(TIE_TOKEN, { sort_order: 'asc' }))).toEqual(['enc_tie_early', 'enc_tie_a', 'enc_tie_b', 'enc_tie_c', 'enc_tie_d', 'enc_tie_late']);
    });

    it('keeps the tie-break across page boundaries', async () => {
      const pages = await Promise.all([0, 2, 4].map((offset) => list(TIE_TOKEN, { sort_order: 'asc', limit: 2, offset })));
      expect(pages.map(ids)).toEqual([
        ['enc_tie_early', 'enc_tie_a'],
        ['enc_tie_b', 'enc_tie_c'],
        ['enc_tie_d', 'enc_tie_late'],
      ]);
      expect(pages.map((page) => page.body.total)).toEqual([6, 6, 6]);
    });
  });

  describe('the [start_at, end_at) window', () => {
    const INSIDE = ['enc_w4', 'enc_w3', 'enc_w2'];

    it.each([
      ['Z offsets', { start_at: '2026-05-25T14:00:00Z', end_at: '2026-05-25T16:00:00Z' }],
      ['+02:00 offsets', { start_at: '2026-05-25T16:00:00+02:00', end_at: '2026-05-25T18:00:00+02:00' }],
      ['-05:00 offsets', { start_at: '2026-05-25T09:00:00-05:00', end_at: '2026-05-25T11:00:00-05:00' }],
      ['+05:30 and a date on the next day', { start_at: '2026-05-25T19:30:00+05:30', end_at: '2026-05-26T02:00:00+10:00' }],
      ['mixed Z and offset', { start_at: '2026-05-25T14:00:00Z', end_at: '2026-05-25T18:00:00+02:00' }],
      ['fractional seconds', { start_at: '2026-05-25T14:00:00.000Z', end_at: '2026-05-25T16:00:00.000Z' }],
    ])('includes start_at and excludes end_at, with %s', async (_case, window) => {
      const response = await list(WINDOW_TOKEN, window);
      expect(ids(response)).toEqual(INSIDE);
      expect(response.body.total).toBe(3);
    });

    it('reads a percent-encoded + in a raw query string as the offset sign', async () => {
      const response = await t.http().get(`${LIST}?start_at=2026-05-25T16:00:00%2B02:00&end_at=2026-05-25T18:00:00%2B02:00`).set('Authorization', bearer(WINDOW_TOKEN));
      expect(ids(response)).toEqual(INSIDE);
    });

    it('reads an unencoded + as a space, which is not a date-time', async () => {
      const response = await t.http().get(`${LIST}?start_at=2026-05-25T16:00:00+02:00`).set('Authorization', bearer(WINDOW_TOKEN));
      expectError(response, 422, 'invalid_query', { field: 'start_at' });
    });

    it.each([
      ['start_at only (Z)', { start_at: '2026-05-25T14:00:00Z' }, ['enc_w6', 'enc_w5', 'enc_w4', 'enc_w3', 'enc_w2']],
      ['start_at only (+02:00)', { start_at: '2026-05-25T16:00:00+02:00' }, ['enc_w6', 'enc_w5', 'enc_w4', 'enc_w3', 'enc_w2']],
      ['start_at one second later', { start_at: '2026-05-25T14:00:01Z' }, ['enc_w6', 'enc_w5', 'enc_w4', 'enc_w3']],
      ['end_at only (Z)', { end_at: '2026-05-25T16:00:00Z' }, ['enc_w4', 'enc_w3', 'enc_w2', 'enc_w1']],
      ['end_at only (+02:00)', { end_at: '2026-05-25T18:00:00+02:00' }, ['enc_w4', 'enc_w3', 'enc_w2', 'enc_w1']],
      ['end_at exactly on an encounter', { end_at: '2026-05-25T14:00:00Z' }, ['enc_w1']],
      ['end_at one millisecond after it', { end_at: '2026-05-25T14:00:00.001Z' }, ['enc_w2', 'enc_w1']],
      ['a one-second window at an encounter', { start_at: '2026-05-25T16:00:00Z', end_at: '2026-05-25T16:00:01Z' }, ['enc_w5']],
      ['a window with no encounter', { start_at: '2026-05-25T16:00:01Z', end_at: '2026-05-25T17:00:00Z' }, []],
    ])('%s', async (_case, window, expected) => {
      const response = await list(WINDOW_TOKEN, window);
      expect(ids(response)).toEqual(expected);
      expect(response.body.total).toBe(expected.length);
    });

    it('counts the whole window in total while paging inside it', async () => {
      const response = await list(WINDOW_TOKEN, { start_at: '2026-05-25T14:00:00Z', end_at: '2026-05-25T16:00:00Z', limit: 1, offset: 1, sort_order: 'asc' });
      expect(ids(response)).toEqual(['enc_w3']);
      expect(response.body).toMatchObject({ limit: 1, offset: 1, total: 3 });
    });
  });

  describe('what is listed', () => {
    it('never lists nor counts demo and training encounters', async () => {
      const pages = await Promise.all([0, 100].map((offset) => list(PAGE_TOKEN, { limit: 100, offset })));
      expect(pages.flatMap(ids)).toEqual(PAGE_DESC);
      expect(pages.map((page) => page.body.total)).toEqual([PAGE_COUNT, PAGE_COUNT]);
    });

    it('never lists demo and training encounters inside a window either', async () => {
      const response = await list(WINDOW_TOKEN, { start_at: '2026-05-25T14:00:00Z', end_at: '2026-05-25T15:00:01Z' });
      expect(ids(response)).toEqual(['enc_w3', 'enc_w2']);
      expect(response.body.total).toBe(2);
    });

    it("lists only the caller organization's encounters, for each organization", async () => {
      const [a, b] = await Promise.all([list(A_TOKEN), list(B_TOKEN)]);
      expect(ids(a)).toEqual(['enc_a2', 'enc_a1']);
      expect(a.body.total).toBe(2);
      expect(ids(b)).toEqual(['enc_b1']);
      expect(b.body.total).toBe(1);
      expect(b.body.items[0].organization_id).toBe('org_b');
    });
  });

  describe('item bodies', () => {
    const DOCS_ENCOUNTER = {
      encounter_id: 'enc_docs',
      organization_id: 'org_docs',
      encounter_type: 'clinical_documentation',
      status: 'completed',
      created_at: '2026-05-25T14:00:00Z',
      updated_at: '2026-05-25T14:00:00Z',
      date_of_service: '2026-05-25T14:00:00Z',
      patient: { patient_id: 'pat_ada', first_name: 'Ada', last_name: 'Lovelace', date_of_birth: '1815-12-10' },
      documents: [
        { document_id: 'doc_d_early', schema_type: 'visit_summary', title: 'Visit summary', status: null, workflow_variant: null, audio_duration_seconds: null },
        { document_id: 'doc_d_a', schema_type: 'document', title: 'Progress note', status: null, workflow_variant: null, audio_duration_seconds: null },
        {
          document_id: 'doc_d_b',
          schema_type: 'ambient_transcript',
          title: 'Ambient transcript',
          status: 'completed',
          workflow_variant: 'ambient',
          audio_duration_seconds: 60,
        },
        { document_id: 'doc_d_late', schema_type: 'document', title: 'Progress note', status: 'signed', workflow_variant: 'soap', audio_duration_seconds: null },
      ],
    };

    it('embeds the patient and every document, by document created_at then document_id', async () => {
      const response = await list(DOCS_TOKEN);
      expect(response.body.items).toEqual([DOCS_ENCOUNTER, expect.objectContaining({ encounter_id: 'enc_docs_none', documents: [] })]);
    });

    it('embeds the same patient and documents in the detail body', async () => {
      const response = await t.http().get(`${LIST}/enc_docs`).set('Authorization', bearer(DOCS_TOKEN));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ encounter: DOCS_ENCOUNTER });
    });

    it("equals the guide's list example field for field", async () => {
      const response = await t.http().get(`${LIST}?limit=25&offset=0&sort_order=desc`).set('Authorization', bearer(GUIDE_TOKEN));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(GUIDE_LIST_EXAMPLE);
    });

    it('gives limit, offset, total and audio_duration_seconds as JSON numbers', async () => {
      const { body } = await list(GUIDE_TOKEN, { limit: 25 });
      expect([typeof body.limit, typeof body.offset, typeof body.total]).toEqual(['number', 'number', 'number']);
      expect(typeof body.items[0].documents[0].audio_duration_seconds).toBe('number');
    });

    it('writes every timestamp as YYYY-MM-DDTHH:MM:SSZ', async () => {
      const { body } = await list(PAGE_TOKEN, { limit: 100 });
      const timestamps = body.items.flatMap((item: Record<string, string>) => [item.created_at, item.updated_at, item.date_of_service]);
      expect(timestamps).toHaveLength(300);
      for (const timestamp of timestamps) expect(timestamp).toMatch(API_TIMESTAMP);
      expect(body.items[0].created_at).toBe(hourAfterNewYear(PAGE_COUNT - 1));
    });
  });

  describe('headers', () => {
    const REQUESTS: Array<[string, () => Promise<Response>, number]> = [
      ['a list', () => list(PAGE_TOKEN), 200],
      ['a detail', () => t.http().get(`${LIST}/enc_page_000`).set('Authorization', bearer(PAGE_TOKEN)), 200],
      ['a 401', () => t.http().get(LIST), 401],
      ['a 422', () => list(PAGE_TOKEN, { limit: 0 }), 422],
      ['a 404', () => t.http().get(`${LIST}/enc_missing`).set('Authorization', bearer(PAGE_TOKEN)), 404],
    ];

    it.each(REQUESTS)('%s response carries Cache-Control: no-store and an X-Request-Id', async (_case, send, status) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-request-id']).toMatch(/\S/);
    });

    it('gives each request its own X-Request-Id', async () => {
      const [first, second] = await Promise.all([list(PAGE_TOKEN), list(PAGE_TOKEN)]);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });

    it("echoes a sane caller-sent X-Request-Id, on success and in an error's request_id", async () => {
      const ok = await list(PAGE_TOKEN).set('X-Request-Id', 'abc-123');
      expect(ok.status).toBe(200);
      expect(ok.headers['x-request-id']).toBe('abc-123');
      const error = await list(PAGE_TOKEN, { limit: 0 }).set('X-Request-Id', 'abc-123');
      expectError(error, 422, 'invalid_limit', { field: 'limit' });
      expect(error.body.request_id).toBe('abc-123');
    });

    it('replaces a caller X-Request-Id that could smuggle markup into logs', async () => {
      const response = await list(PAGE_TOKEN).set('X-Request-Id', '<script>alert(1)</script>');
      expect(response.status).toBe(200);
      expect(response.headers['x-request-id']).toMatch(/\S/);
      expect(response.headers['x-request-id']).not.toBe('<script>alert(1)</script>');
    });
  });
});

/** The detail example reuses the list example's ids with another encounter type: its own database. */
describe("GET /external/v1/encounters/{encounter_id}: the guide's detail example", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.load({ ...guideFixture('clinical_documentation'), documents: [noteDocument('doc_Note1', 'enc_9YpJvK2')] });
  });
  afterAll(() => t.close());

  it("equals the guide's detail example field for field", async () => {
    const response = await t.http().get('/external/v1/encounters/enc_9YpJvK2').set('Authorization', bearer(GUIDE_TOKEN));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(GUIDE_DETAIL_EXAMPLE);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('lists that encounter with the same body', async () => {
    const response = await t.http().get('/external/v1/encounters?limit=25&offset=0&sort_order=desc').set('Authorization', bearer(GUIDE_TOKEN));
    expect(response.body).toEqual({ items: [GUIDE_DETAIL_EXAMPLE.encounter], limit: 25, offset: 0, total: 1 });
  });
});
