/**
 * The example partner client (examples/partner-sync) against the real service over loopback
 * HTTP: what a partner copying it would get.
 */
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PartnerApiError, PartnerClient, PartnerNetworkError, type PartnerClientOptions } from '../../examples/partner-sync/partner-client';
import { syncEncounters } from '../../examples/partner-sync/sync-encounters';
import { apiKey, bearer, encounter, ENCOUNTER_SCOPES, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { assertFetchMatchesOpenApi } from '../support/openapi-conformance';
import { recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, TestApp } from '../support/test-app';

const ORG = 'org_sync';
const OTHER_ORG = 'org_sync_other';
const TOKEN = 'ch_sk_sync_full_access';
const REVOKED_TOKEN = 'ch_sk_sync_revoked';
const NO_PATIENTS_TOKEN = 'ch_sk_sync_no_patients_scope';
const OTHER_TOKEN = 'ch_sk_sync_other_org';
/** Every scope, recordings:read included. */
const AUDIO_TOKEN = 'ch_sk_sync_with_recordings';

/** Clinical encounters of ORG: enough for several pages, in threes that share a created_at. */
const COUNT = 260;
const BASE = Date.UTC(2025, 0, 6, 8, 0, 0);
const encounterId = (i: number) => `enc_sync_${String(i).padStart(3, '0')}`;
const createdAt = (i: number) => new Date(BASE + Math.floor(i / 3) * 3_600_000).toISOString().replace('.000Z', 'Z');
const INDEXES = Array.from({ length: COUNT }, (_, i) => i);

/** Documents of encounter i: a note on every other one, a transcript on every third, an after-visit summary on every seventh. */
const noteId = (i: number) => (i % 2 === 0 ? `doc_sync_${i}_note` : null);
const transcriptId = (i: number) => (i % 3 === 0 ? `doc_sync_${i}_transcript` : null);
const summaryId = (i: number) => (i % 7 === 0 ? `doc_sync_${i}_avs` : null);
const fetchableIds = (i: number) => [noteId(i), transcriptId(i)].filter((id): id is string => id !== null);

/** `recordingFile`: the recording of encounter 0's transcript. */
function scenario(recordingFile: string) {
  const patients = [0, 1, 2, 3, 4].map((p) => patient(`pat_sync_${p}`, ORG, { first_name: `Patient${p}` }));
  const encounters: object[] = [];
  const documents: object[] = [];
  for (const i of INDEXES) {
    encounters.push(encounter(encounterId(i), ORG, `pat_sync_${i % 5}`, createdAt(i), { encounter_type: i % 2 ? 'ambient' : 'clinical_documentation' }));
    const note = noteId(i);
    const transcript = transcriptId(i);
    const summary = summaryId(i);
    // Every tenth note has no body yet: content null.
    if (note) documents.push(noteDocument(note, encounterId(i), { created_at: createdAt(i), ...(i % 10 === 4 && { content: null }) }));
    if (transcript) {
      const recording = i === 0 ? { recording: { file: recordingFile, content_type: 'audio/wav' } } : {};
      documents.push(transcriptDocument(transcript, encounterId(i), { created_at: createdAt(i), ...recording }));
    }
    if (summary)
      documents.push(noteDocument(summary, encounterId(i), { schema_type: 'after_visit_summary', title: 'After-visit summary', content: null, created_at: createdAt(i) }));
  }
  // Demo and training encounters of the same organization, at the same instants, with documents: never synced.
  for (const i of [0, 1, 39, 40, 41, 80, 119, 120, 200, 259]) {
    for (const purpose of ['demo', 'training']) {
      const id = `enc_sync_${purpose}_${i}`;
      encounters.push(encounter(id, ORG, 'pat_sync_0', createdAt(i), { purpose }));
      documents.push(noteDocument(`doc_sync_${purpose}_${i}`, id));
    }
  }
  // Another organization's encounters at the same instants, with documents: never synced.
  const otherPatient = patient('pat_sync_other', OTHER_ORG);
  for (const i of INDEXES.filter((i) => i % 9 === 0)) {
    const id = `enc_other_${i}`;
    encounters.push(encounter(id, OTHER_ORG, 'pat_sync_other', createdAt(i)));
    documents.push(noteDocument(`doc_other_${i}_note`, id), transcriptDocument(`doc_other_${i}_transcript`, id));
  }
  return {
    organizations: [organization(ORG), organization(OTHER_ORG)],
    api_keys: [
      apiKey('key_sync', ORG, TOKEN, { scopes: ENCOUNTER_SCOPES }),
      apiKey('key_sync_revoked', ORG, REVOKED_TOKEN, { status: 'revoked' }),
      apiKey('key_sync_no_patients', ORG, NO_PATIENTS_TOKEN, { scopes: ['encounters:read', 'documents:read'] }),
      apiKey('key_sync_other', OTHER_ORG, OTHER_TOKEN),
      apiKey('key_sync_audio', ORG, AUDIO_TOKEN),
    ],
    patients: [...patients, otherPatient],
    encounters,
    documents,
  };
}

const sorted = (values: string[]) => [...values].sort();

/** The encounter and document ids a sync of encounters `[from, to)` (by index) must return. */
function expected(from: number, to: number) {
  const range = INDEXES.slice(from, to);
  return {
    encounters: range.map(encounterId),
    documents: sorted(range.flatMap(fetchableIds)),
    skipped: sorted(range.flatMap((i) => summaryId(i) ?? [])),
  };
}

/** Every answer of the service that the client got and openapi.json does not allow (checked after each test). */
const contractViolations: string[] = [];

/**
 * A `fetch` that remembers every URL it was asked for, and checks each answer against
 * openapi.json, the description the client's types are generated from.
 */
function recordingFetch() {
  const urls: string[] = [];
  const authorizations: (string | null)[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    urls.push(url);
    authorizations.push(new Headers(init?.headers).get('authorization'));
    const answer = await fetch(input, init);
    try {
      await assertFetchMatchesOpenApi(init?.method ?? 'GET', url, answer);
    } catch (error) {
      contractViolations.push(`GET ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return answer;
  };
  const query = (url: string) => new URL(url).searchParams;
  return {
    fetch: recording,
    urls,
    authorizations,
    listUrls: () => urls.filter((url) => new URL(url).pathname === '/external/v1/encounters'),
    documentUrls: () => urls.filter((url) => new URL(url).pathname.includes('/documents/')),
    query,
  };
}

/** A tiny HTTP server on 127.0.0.1 whose n-th request (from 1) `handle` answers. */
async function startStub(handle: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    handle(seen.length, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers like the service does when it is unavailable. */
function answer503(res: ServerResponse, retryAfter: string): void {
  const body = { error: 'service_unavailable', reason_code: 'service_unavailable', message: 'The service is temporarily unavailable.', field: null, request_id: 'req_stub' };
  res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': retryAfter, 'X-Request-Id': 'req_stub' }).end(JSON.stringify(body));
}

/** Passes the request on to the real service and its answer back. */
function proxy(upstream: string, req: IncomingMessage, res: ServerResponse): void {
  const target = new URL(req.url ?? '/', upstream);
  const forwarded = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forwarded.on('error', () => res.destroy());
  req.pipe(forwarded);
}

describe('the example partner client (examples/partner-sync) over HTTP', () => {
  let t: TestApp;
  let baseUrl: string;
  const client = (options: Partial<PartnerClientOptions> = {}) => new PartnerClient({ baseUrl, apiKey: TOKEN, fetch: recordingFetch().fetch, ...options });

  let files: RecordingFiles;
  let recorded: Buffer;

  beforeAll(async () => {
    files = await recordingFiles();
    const recordingFile = await files.write('visit.wav', 48_000);
    recorded = recordingFile.bytes;
    t = await startTestApp();
    await t.load(scenario(recordingFile.path));
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });
  afterEach(() => expect(contractViolations.splice(0)).toEqual([]));

  describe('recordings', () => {
    it('downloads the recording of an ambient transcript through a fresh audio URL, never sending the key to it', async () => {
      const seen = recordingFetch();
      const target = join(files.dir, 'downloaded.wav');
      const result = await new PartnerClient({ baseUrl, apiKey: AUDIO_TOKEN, fetch: seen.fetch }).downloadRecording(encounterId(0), transcriptId(0)!, target);

      expect(result).toEqual({ contentType: 'audio/wav', bytes: recorded.length });
      expect((await readFile(target)).equals(recorded)).toBe(true);
      expect(seen.urls.map((url) => new URL(url).pathname)).toEqual([
        `/external/v1/encounters/${encounterId(0)}/documents/${transcriptId(0)}/audio`,
        expect.stringMatching(/^\/media\/v1\/recordings\/rec_/),
      ]);
      expect(seen.authorizations).toEqual([bearer(AUDIO_TOKEN), null]);
    });

    it('getAudioUrl: a URL and its expiry, typed from openapi.json', async () => {
      const audio = await new PartnerClient({ baseUrl, apiKey: AUDIO_TOKEN }).getAudioUrl(encounterId(0), transcriptId(0)!);
      expect(audio.audio_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\/v1\/recordings\/rec_/);
      expect(Date.parse(audio.expires_at)).toBeGreaterThan(Date.now());
    });

    it('surfaces audio_not_found for a transcript without a recording, and missing_scope for a key without recordings:read', async () => {
      await expect(new PartnerClient({ baseUrl, apiKey: AUDIO_TOKEN }).downloadRecording(encounterId(3), transcriptId(3)!, join(files.dir, 'none.wav'))).rejects.toMatchObject({
        status: 404,
        reason_code: 'audio_not_found',
      });
      await expect(client().getAudioUrl(encounterId(0), transcriptId(0)!)).rejects.toMatchObject({
        status: 403,
        reason_code: 'missing_scope',
        missing_scopes: ['recordings:read'],
      });
    });
  });

  describe('syncEncounters', () => {
    it('syncs every clinical encounter of the organization and each fetchable document, exactly once, over several pages', async () => {
      const recorder = recordingFetch();
      const result = await syncEncounters(client({ fetch: recorder.fetch }), { pageSize: 40 });
      const want = expected(0, COUNT);

      const encounterIds = result.encounters.map((e) => e.encounter_id);
      expect(encounterIds).toHaveLength(COUNT);
      expect(new Set(encounterIds).size).toBe(COUNT);
      // Oldest first: created_at, then encounter_id.
      expect(encounterIds).toEqual(want.encounters);
      expect(result.encounters.every((e) => e.organization_id === ORG)).toBe(true);

      const documentIds = result.documents.map((d) => d.document_id);
      expect(new Set(documentIds).size).toBe(documentIds.length);
      expect(sorted(documentIds)).toEqual(want.documents);
      expect(sorted(result.skippedDocuments.map((d) => d.document_id))).toEqual(want.skipped);
      expect(result.skippedDocuments.every((d) => d.reason === 'unsupported_document_type' && d.schema_type === 'after_visit_summary')).toBe(true);

      // 260 encounters, 40 a page: six full pages and a short one, and one request per fetched document, no more.
      expect(result.pages).toBe(7);
      expect(result.windowSplits).toBe(0);
      expect(recorder.listUrls().map((url) => recorder.query(url).get('offset'))).toEqual(['0', '40', '80', '120', '160', '200', '240']);
      expect(recorder.listUrls().every((url) => recorder.query(url).get('limit') === '40' && recorder.query(url).get('sort_order') === 'asc')).toBe(true);
      expect(recorder.documentUrls()).toHaveLength(want.documents.length);
      expect(recorder.urls).toHaveLength(7 + want.documents.length);
    });

    it('returns each document as the document route serves it', async () => {
      const { documents } = await syncEncounters(client(), { pageSize: 100 });
      const byId = new Map(documents.map((d) => [d.document_id, d]));
      expect(byId.get('doc_sync_0_note')).toMatchObject({ encounter_id: encounterId(0), schema_type: 'document', content: { format: 'markdown', text: '## Assessment\nStable.' } });
      expect(byId.get('doc_sync_4_note')).toMatchObject({ encounter_id: encounterId(4), schema_type: 'document', content: null });
      expect(byId.get('doc_sync_3_transcript')).toEqual({
        document_id: 'doc_sync_3_transcript',
        encounter_id: encounterId(3),
        schema_type: 'ambient_transcript',
        title: 'Ambient transcript',
        status: 'completed',
        workflow_variant: 'ambient',
        audio_duration_seconds: 842.4,
        created_at: createdAt(3),
        updated_at: '2026-05-25T14:20:00Z',
      });
      for (const document of documents) expect(document.encounter_id).toBe(document.document_id.replace(/^doc_sync_(\d+)_.*$/, (_m, i: string) => encounterId(Number(i))));
    });

    it('syncs exactly the [startAt, endAt) window, paging inside it', async () => {
      const recorder = recordingFetch();
      // From the first of one triple of equal created_at to the first of another: 90 encounters.
      const result = await syncEncounters(client({ fetch: recorder.fetch }), { startAt: createdAt(60), endAt: createdAt(150), pageSize: 40 });
      const want = expected(60, 150);

      expect(result.encounters.map((e) => e.encounter_id)).toEqual(want.encounters);
      expect(sorted(result.documents.map((d) => d.document_id))).toEqual(want.documents);
      expect(sorted(result.skippedDocuments.map((d) => d.document_id))).toEqual(want.skipped);
      expect(result.window).toEqual({ start_at: new Date(createdAt(60)).toISOString(), end_at: new Date(createdAt(150)).toISOString() });
      expect(result.pages).toBe(3);
      const lists = recorder.listUrls().map(recorder.query);
      expect(lists.map((q) => q.get('offset'))).toEqual(['0', '40', '80']);
      for (const q of lists) {
        expect(new Date(q.get('start_at') ?? '').getTime()).toBe(Date.parse(createdAt(60)));
        expect(new Date(q.get('end_at') ?? '').getTime()).toBe(Date.parse(createdAt(150)));
      }
    });

    it('reads a window given with a ±hh:mm offset as the same instants', async () => {
      const start = new Date(Date.parse(createdAt(30)) + 2 * 3_600_000).toISOString().replace('.000Z', '+02:00');
      const end = new Date(Date.parse(createdAt(33)) - 5 * 3_600_000).toISOString().replace('.000Z', '-05:00');
      const result = await syncEncounters(client(), { startAt: start, endAt: end, pageSize: 2 });
      expect(result.encounters.map((e) => e.encounter_id)).toEqual(expected(30, 33).encounters);
      expect(result.pages).toBe(2);
    });

    it('splits the window by time at the offset cap, keeping encounters that share the split instant', async () => {
      const recorder = recordingFetch();
      // A cap of 40 with pages of 40: the window is narrowed after every second page, and each
      // split falls inside a triple of equal created_at (items 78-80, 156-158, 234-236).
      const result = await syncEncounters(client({ fetch: recorder.fetch }), { pageSize: 40, maxOffset: 40 });
      const want = expected(0, COUNT);

      const encounterIds = result.encounters.map((e) => e.encounter_id);
      expect(encounterIds).toEqual(want.encounters);
      expect(new Set(encounterIds).size).toBe(COUNT);
      const documentIds = result.documents.map((d) => d.document_id);
      expect(sorted(documentIds)).toEqual(want.documents);
      expect(new Set(documentIds).size).toBe(documentIds.length);
      // Documents of an encounter seen twice (across a split) are fetched once.
      expect(recorder.documentUrls()).toHaveLength(want.documents.length);

      expect(result.windowSplits).toBe(3);
      const lists = recorder.listUrls().map(recorder.query);
      expect(lists.every((q) => Number(q.get('offset')) <= 40)).toBe(true);
      expect(lists.map((q) => [q.get('offset'), q.get('start_at') && new Date(q.get('start_at') ?? '').toISOString()])).toEqual([
        ['0', null],
        ['40', null],
        ['0', new Date(createdAt(79)).toISOString()],
        ['40', new Date(createdAt(79)).toISOString()],
        ['0', new Date(createdAt(157)).toISOString()],
        ['40', new Date(createdAt(157)).toISOString()],
        ['0', new Date(createdAt(235)).toISOString()],
      ]);
    });

    it('pages by created_at alone with a cap of 0 (keyset paging), when a page holds more than an instant', async () => {
      const result = await syncEncounters(client(), { startAt: createdAt(0), endAt: createdAt(30), pageSize: 4, maxOffset: 0 });
      expect(result.encounters.map((e) => e.encounter_id)).toEqual(expected(0, 30).encounters);
    });

    it('refuses to loop when more encounters share one instant than a narrowed window can page', async () => {
      await expect(syncEncounters(client(), { endAt: createdAt(30), pageSize: 2, maxOffset: 0 })).rejects.toThrow(
        `More than 2 encounters were created at ${createdAt(0)}; the window cannot be split any further`,
      );
    });

    it('syncs only its own organization for another key', async () => {
      const result = await syncEncounters(client({ apiKey: OTHER_TOKEN }), { pageSize: 7 });
      const others = INDEXES.filter((i) => i % 9 === 0);
      expect(result.encounters.map((e) => e.encounter_id)).toEqual(others.map((i) => `enc_other_${i}`));
      expect(sorted(result.documents.map((d) => d.document_id))).toEqual(sorted(others.flatMap((i) => [`doc_other_${i}_note`, `doc_other_${i}_transcript`])));
    });

    it('refuses a page size above 100 before sending anything', async () => {
      const recorder = recordingFetch();
      await expect(syncEncounters(client({ fetch: recorder.fetch }), { pageSize: 101 })).rejects.toThrow(RangeError);
      await expect(syncEncounters(client({ fetch: recorder.fetch }), { startAt: '2026-05-01T00:00:00' })).rejects.toThrow(/explicit offset/);
      expect(recorder.urls).toEqual([]);
    });
  });

  describe('errors that are not retried', () => {
    it('stops at a revoked key with a message naming revoked_key, after one request', async () => {
      const recorder = recordingFetch();
      const error = await syncEncounters(client({ apiKey: REVOKED_TOKEN, fetch: recorder.fetch }), { pageSize: 40 }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PartnerApiError);
      const apiError = error as PartnerApiError;
      expect(apiError.message).toMatch(/^API key rejected \(revoked_key\): The API key has been revoked\./);
      expect(apiError).toMatchObject({ status: 401, kind: 'authentication', reason_code: 'revoked_key', attempts: 1, field: null });
      expect(apiError.request_id).toMatch(/\S/);
      expect(apiError.message).toContain(apiError.request_id);
      expect(recorder.urls).toHaveLength(1);
    });

    it('stops at a missing scope with a message naming it, after one request', async () => {
      const recorder = recordingFetch();
      const error = (await client({ apiKey: NO_PATIENTS_TOKEN, fetch: recorder.fetch })
        .listEncounters()
        .catch((e: unknown) => e)) as PartnerApiError;
      expect(error).toBeInstanceOf(PartnerApiError);
      expect(error).toMatchObject({ status: 403, kind: 'permission', reason_code: 'missing_scope', missing_scopes: ['patients:read'] });
      expect(error.message).toMatch(/^Access denied \(missing_scope; missing scopes patients:read\)/);
      expect(recorder.urls).toHaveLength(1);
    });

    it('surfaces a 422 as a bug of the caller, with the field at fault', async () => {
      const recorder = recordingFetch();
      const error = (await client({ fetch: recorder.fetch })
        .listEncounters({ limit: 101 })
        .catch((e: unknown) => e)) as PartnerApiError;
      expect(error).toMatchObject({ status: 422, kind: 'caller_bug', reason_code: 'invalid_limit', field: 'limit' });
      expect(error.message).toMatch(/^Invalid request, a bug in the calling code \(invalid_limit; field limit\)/);
      expect(recorder.urls).toHaveLength(1);
    });

    it('surfaces a 400 for a document type the document route does not serve', async () => {
      const recorder = recordingFetch();
      const error = (await client({ fetch: recorder.fetch })
        .getDocument(encounterId(0), 'doc_sync_0_avs')
        .catch((e: unknown) => e)) as PartnerApiError;
      expect(error).toMatchObject({ status: 400, kind: 'caller_bug', reason_code: 'unsupported_document_type' });
      expect(recorder.urls).toHaveLength(1);
    });

    it('surfaces 404 and 403 lookups with their reason codes', async () => {
      await expect(client().getEncounter('enc_sync_missing')).rejects.toMatchObject({ status: 404, reason_code: 'encounter_not_found', kind: 'not_found' });
      await expect(client().getEncounter('enc_other_0')).rejects.toMatchObject({ status: 403, reason_code: 'cross_organization_denied' });
      await expect(client().getEncounter('enc_sync_demo_0')).rejects.toMatchObject({ status: 403, reason_code: 'demo_training_denied' });
      await expect(client().getDocument(encounterId(0), 'doc_sync_1_note')).rejects.toMatchObject({ status: 404, reason_code: 'document_not_found' });
    });

    it('reads one encounter with getEncounter', async () => {
      const read = await client().getEncounter(encounterId(14));
      expect(read).toMatchObject({ encounter_id: encounterId(14), organization_id: ORG, created_at: createdAt(14), patient: { patient_id: 'pat_sync_4' } });
      // Same created_at: ordered by document_id.
      expect(read.documents.map((d) => d.document_id)).toEqual(['doc_sync_14_avs', 'doc_sync_14_note']);
    });
  });

  describe('retries', () => {
    it('retries a 503 twice (Retry-After: 0) and then succeeds', async () => {
      const stub = await startStub((n, req, res) => (n <= 2 ? answer503(res, '0') : proxy(baseUrl, req, res)));
      try {
        const read = await new PartnerClient({ baseUrl: stub.url, apiKey: TOKEN }).getEncounter(encounterId(7));
        expect(read.encounter_id).toBe(encounterId(7));
        expect(stub.seen).toEqual([`/external/v1/encounters/${encounterId(7)}`, `/external/v1/encounters/${encounterId(7)}`, `/external/v1/encounters/${encounterId(7)}`]);
      } finally {
        await stub.close();
      }
    });

    it('completes a whole sync through 503s', async () => {
      // Every distinct request is refused once, then served.
      const refused = new Set<string>();
      const stub = await startStub((_n, req, res) => {
        if (refused.has(req.url ?? '')) return proxy(baseUrl, req, res);
        refused.add(req.url ?? '');
        answer503(res, '0');
      });
      try {
        const result = await syncEncounters(new PartnerClient({ baseUrl: stub.url, apiKey: TOKEN }), { startAt: createdAt(0), endAt: createdAt(120), pageSize: 40 });
        const want = expected(0, 120);
        expect(result.encounters.map((e) => e.encounter_id)).toEqual(want.encounters);
        expect(sorted(result.documents.map((d) => d.document_id))).toEqual(want.documents);
        expect(refused.size).toBe(3 + want.documents.length);
        expect(stub.seen).toHaveLength(2 * refused.size);
      } finally {
        await stub.close();
      }
    });

    it('honours Retry-After seconds, capped at maxDelayMs, and gives up after maxAttempts', async () => {
      const waits: number[] = [];
      const retryAfter = ['2', '3600', '0'];
      const stub = await startStub((n, _req, res) => answer503(res, retryAfter[n - 1] ?? '0'));
      try {
        const unavailable = new PartnerClient({ baseUrl: stub.url, apiKey: TOKEN, maxAttempts: 3, maxDelayMs: 5_000, sleep: async (ms) => void waits.push(ms) });
        const error = (await unavailable.listEncounters().catch((e: unknown) => e)) as PartnerApiError;
        expect(error).toBeInstanceOf(PartnerApiError);
        expect(error).toMatchObject({ status: 503, kind: 'unavailable', reason_code: 'service_unavailable', request_id: 'req_stub', attempts: 3 });
        expect(error.message).toMatch(/^ChartHero is unavailable \(service_unavailable\) after 3 attempt\(s\)/);
        expect(waits).toEqual([2_000, 5_000]);
        expect(stub.seen).toHaveLength(3);
      } finally {
        await stub.close();
      }
    });

    it('backs off exponentially on a 503 without Retry-After', async () => {
      const waits: number[] = [];
      const stub = await startStub((_n, _req, res) => res.writeHead(503, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway day</h1>'));
      try {
        const unavailable = new PartnerClient({ baseUrl: stub.url, apiKey: TOKEN, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300, sleep: async (ms) => void waits.push(ms) });
        const error = (await unavailable.getEncounter('enc_x').catch((e: unknown) => e)) as PartnerApiError;
        expect(error).toMatchObject({ status: 503, reason_code: null, body: null, attempts: 4 });
        expect(waits).toHaveLength(3);
        // Equal jitter: between half and all of 100, 200, then 400 capped to 300.
        [100, 200, 300].forEach((ceiling, i) => {
          expect(waits[i]).toBeGreaterThanOrEqual(ceiling / 2);
          expect(waits[i]).toBeLessThanOrEqual(ceiling);
        });
        expect(stub.seen).toHaveLength(4);
      } finally {
        await stub.close();
      }
    });

    it('retries a dropped connection, then succeeds', async () => {
      const waits: number[] = [];
      const stub = await startStub((n, req, res) => (n === 1 ? req.socket.destroy() : proxy(baseUrl, req, res)));
      try {
        const flaky = new PartnerClient({ baseUrl: stub.url, apiKey: TOKEN, baseDelayMs: 10, sleep: async (ms) => void waits.push(ms) });
        const document = await flaky.getDocument(encounterId(0), 'doc_sync_0_note');
        expect(document).toMatchObject({ document_id: 'doc_sync_0_note', schema_type: 'document' });
        expect(stub.seen).toHaveLength(2);
        expect(waits).toHaveLength(1);
      } finally {
        await stub.close();
      }
    });

    it('gives up on a server that cannot be reached, with a network error', async () => {
      const stub = await startStub(() => undefined);
      const unreachable = stub.url;
      await stub.close();
      const waits: number[] = [];
      const error = await new PartnerClient({ baseUrl: unreachable, apiKey: TOKEN, maxAttempts: 3, sleep: async (ms) => void waits.push(ms) })
        .listEncounters()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PartnerNetworkError);
      expect((error as PartnerNetworkError).message).toMatch(/network error after 3 attempt\(s\): fetch failed \(connect ECONNREFUSED/);
      expect(waits).toHaveLength(2);
    });
  });
});
