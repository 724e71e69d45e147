/**
 * The audio route (`documents.audio`) and the media URLs it hands out, served by the local
 * store: every reason code by a real request, what a URL may and may not carry, the bytes and
 * headers it serves, and when it stops working.
 */
import { ApiKeysService } from '../../src/auth/api-keys.service';
import { loadAppConfig } from '../../src/config/load-app-config';
import { PartnerAllowlistService } from '../../src/partner/partner-allowlist.service';
import { MediaUrlSigner } from '../../src/recordings/media-url-signer';
import { CapturingLogger } from '../support/capturing-logger';
import { ALL_ROUTES, apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { expectError } from '../support/error-body';
import { fetchMedia, recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, TestApp } from '../support/test-app';
import { borrowed, createTestDatabase, type TestDatabase } from '../support/test-database';

const ORG = 'org_audio_riverside';
const TOKEN = 'ch_sk_audio_full_access';
const EXPIRED = '2020-01-01T00:00:00Z';
const RECORDING_SIZE = 100_003;
const TTL_SECONDS = 900;

const audioOf = (encounterId: string, documentId: string) => `/external/v1/encounters/${encounterId}/documents/${documentId}/audio`;
const AUDIO = audioOf('enc_audio', 'doc_audio_recorded');

function scenario(files: RecordingFiles) {
  const recording = (name: string) => ({ file: `${files.dir}/${name}`, content_type: 'audio/wav' });
  return {
    organizations: [
      organization(ORG),
      organization('org_audio_other'),
      organization('org_audio_keys_off', { apiKeysEnabled: false }),
      organization('org_audio_not_partner', { partnerRoutes: null }),
      organization('org_audio_no_audio', { partnerRoutes: ALL_ROUTES.filter((route) => route !== 'documents.audio') }),
    ],
    api_keys: [
      apiKey('key_audio', ORG, TOKEN),
      apiKey('key_audio_no_recordings', ORG, 'ch_sk_audio_no_recordings', { scopes: ['encounters:read', 'patients:read', 'documents:read'] }),
      apiKey('key_audio_user', ORG, 'ch_sk_audio_user_scoped', { scope_type: 'user' }),
      apiKey('key_audio_revoked', ORG, 'ch_sk_audio_revoked', { status: 'revoked' }),
      apiKey('key_audio_disabled', ORG, 'ch_sk_audio_disabled', { status: 'disabled' }),
      apiKey('key_audio_expired', ORG, 'ch_sk_audio_expired', { expires_at: EXPIRED }),
      apiKey('key_audio_test', ORG, 'ch_test_sk_audio_test_key'),
      apiKey('key_audio_keys_off', 'org_audio_keys_off', 'ch_sk_audio_keys_off'),
      apiKey('key_audio_not_partner', 'org_audio_not_partner', 'ch_sk_audio_not_partner'),
      apiKey('key_audio_no_route', 'org_audio_no_audio', 'ch_sk_audio_no_audio_route'),
      apiKey('key_audio_other', 'org_audio_other', 'ch_sk_audio_other_org'),
    ],
    patients: [patient('pat_audio', ORG), patient('pat_audio_other', 'org_audio_other')],
    encounters: [
      encounter('enc_audio', ORG, 'pat_audio', '2026-05-25T14:00:00Z'),
      encounter('enc_audio_demo', ORG, 'pat_audio', '2026-05-26T14:00:00Z', { purpose: 'demo' }),
      encounter('enc_audio_other', 'org_audio_other', 'pat_audio_other', '2026-05-25T14:00:00Z'),
    ],
    documents: [
      transcriptDocument('doc_audio_recorded', 'enc_audio', { recording: recording('visit.wav') }),
      transcriptDocument('doc_audio_unrecorded', 'enc_audio'),
      noteDocument('doc_audio_note', 'enc_audio'),
      transcriptDocument('doc_audio_demo', 'enc_audio_demo', { recording: recording('demo.wav') }),
      transcriptDocument('doc_audio_other', 'enc_audio_other', { recording: recording('other.wav') }),
    ],
  };
}

describe('the audio route', () => {
  let t: TestApp;
  let files: RecordingFiles;
  let recorded: Buffer;

  beforeAll(async () => {
    files = await recordingFiles();
    recorded = (await files.write('visit.wav', RECORDING_SIZE)).bytes;
    await files.write('demo.wav', 1_000);
    await files.write('other.wav', 1_000);
    t = await startTestApp({ env: { ALLOW_TEST_KEYS: 'false', AUDIO_URL_TTL_SECONDS: String(TTL_SECONDS) } });
    await t.load(scenario(files));
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  const get = (path: string, token: string | null) => {
    const request = t.http().get(path);
    return token === null ? request : request.set('Authorization', bearer(token));
  };

  describe('answers each check in the contract order', () => {
    it.each([
      ['no Authorization header', 401, 'missing_bearer', AUDIO, null],
      ['a test key where they are refused', 401, 'test_prefix_not_allowed', AUDIO, 'ch_test_sk_audio_test_key'],
      ['a malformed token', 401, 'malformed_token', AUDIO, 'not-a-key'],
      ['an unknown key', 401, 'invalid_key', AUDIO, 'ch_sk_audio_no_such_key'],
      ['a revoked key', 401, 'revoked_key', AUDIO, 'ch_sk_audio_revoked'],
      ['a disabled key', 401, 'disabled_key', AUDIO, 'ch_sk_audio_disabled'],
      ['an expired key', 401, 'expired_key', AUDIO, 'ch_sk_audio_expired'],
      ['a key of an organization with API keys off', 401, 'api_keys_disabled', AUDIO, 'ch_sk_audio_keys_off'],
      ['a user-scoped key', 403, 'org_scope_only_required', AUDIO, 'ch_sk_audio_user_scoped'],
      ['an organization that is no partner', 403, 'organization_not_allowlisted', AUDIO, 'ch_sk_audio_not_partner'],
      ['a partner without documents.audio', 403, 'route_not_allowed', AUDIO, 'ch_sk_audio_no_audio_route'],
      ['any query', 400, 'unsupported_filter', `${AUDIO}?download=1`, TOKEN],
      ['an unknown encounter', 404, 'encounter_not_found', audioOf('enc_audio_missing', 'doc_audio_recorded'), TOKEN],
      ['another organization’s encounter', 403, 'cross_organization_denied', audioOf('enc_audio_other', 'doc_audio_other'), TOKEN],
      ['a demo encounter', 403, 'demo_training_denied', audioOf('enc_audio_demo', 'doc_audio_demo'), TOKEN],
      ['a document of another encounter', 404, 'document_not_found', audioOf('enc_audio', 'doc_audio_other'), TOKEN],
      ['a note', 400, 'unsupported_document_type', audioOf('enc_audio', 'doc_audio_note'), TOKEN],
      ['an ambient transcript without a recording', 404, 'audio_not_found', audioOf('enc_audio', 'doc_audio_unrecorded'), TOKEN],
    ] as const)('%s: %i %s', async (_name, status, reasonCode, path, token) => {
      const response = await get(path, token);
      expectError(response, status, reasonCode, reasonCode === 'unsupported_filter' ? { field: 'download' } : {});
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('missing_scope: a key without recordings:read is told exactly that scope', async () => {
      expectError(await get(AUDIO, 'ch_sk_audio_no_recordings'), 403, 'missing_scope', { missingScopes: ['recordings:read'] });
    });
  });

  describe('200', () => {
    it('an absolute URL and its expiry, AUDIO_URL_TTL_SECONDS from now in whole seconds', async () => {
      const before = Math.floor(Date.now() / 1000);
      const response = await get(AUDIO, TOKEN).expect(200);
      const after = Math.floor(Date.now() / 1000);

      expect(Object.keys(response.body).sort()).toEqual(['audio_url', 'expires_at']);
      expect(response.body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const expiresAt = Date.parse(response.body.expires_at) / 1000;
      expect(expiresAt).toBeGreaterThanOrEqual(before + TTL_SECONDS);
      expect(expiresAt).toBeLessThanOrEqual(after + TTL_SECONDS);
      const url = new URL(response.body.audio_url);
      expect(url.origin).toBe(await t.app.getUrl());
      expect(url.pathname).toMatch(/^\/media\/v1\/recordings\/rec_[A-Za-z0-9_-]{24}$/);
      expect(url.searchParams.get('expires')).toBe(String(expiresAt));
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('names no organization, encounter, document, patient or key, and carries no token', async () => {
      const { body } = await get(AUDIO, TOKEN).expect(200);
      for (const forbidden of [ORG, 'enc_audio', 'doc_audio_recorded', 'pat_audio', 'key_audio', TOKEN, 'ch_sk_']) {
        expect(body.audio_url).not.toContain(forbidden);
        expect(decodeURIComponent(body.audio_url)).not.toContain(forbidden);
      }
    });

    it('is a new URL at each call, each one working', async () => {
      const first = (await get(AUDIO, TOKEN).expect(200)).body.audio_url;
      const second = (await get(AUDIO, TOKEN).expect(200)).body.audio_url;
      expect(second).not.toBe(first);
      for (const url of [first, second]) expect((await fetchMedia(url)).body.equals(recorded)).toBe(true);
    });
  });

  describe('the media URL', () => {
    let audioUrl: string;
    beforeAll(async () => {
      audioUrl = (await get(AUDIO, TOKEN).expect(200)).body.audio_url;
    });

    it('serves the whole recording without an API key, with the contract headers', async () => {
      const response = await fetchMedia(audioUrl, { headers: { 'X-Request-Id': 'media-fetch-1' } });
      expect(response.status).toBe(200);
      expect(response.body.equals(recorded)).toBe(true);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'content-type': 'audio/wav',
        'content-length': String(RECORDING_SIZE),
        'accept-ranges': 'bytes',
        'cache-control': 'private, no-store',
        'content-disposition': 'inline; filename="doc_audio_recorded.wav"',
        'x-request-id': 'media-fetch-1',
      });
      expect(response.headers.get('content-range')).toBeNull();
      expect(response.headers.get('etag')).toBeNull();
    });

    it.each([
      ['a-b', 'bytes=10-19', 10, 19],
      ['a- (to the end)', 'bytes=100000-', 100_000, RECORDING_SIZE - 1],
      ['-n (the last n bytes)', 'bytes=-500', RECORDING_SIZE - 500, RECORDING_SIZE - 1],
      ['a-b past the end (cut at the end)', 'bytes=99990-200000', 99_990, RECORDING_SIZE - 1],
      ['the first byte', 'bytes=0-0', 0, 0],
      ['-n longer than the recording (all of it)', `bytes=-${RECORDING_SIZE * 2}`, 0, RECORDING_SIZE - 1],
    ])('Range %s: 206 with exactly those bytes', async (_name, range, start, end) => {
      const response = await fetchMedia(audioUrl, { headers: { Range: range } });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${RECORDING_SIZE}`);
      expect(response.headers.get('content-length')).toBe(String(end - start + 1));
      expect(response.body.equals(recorded.subarray(start, end + 1))).toBe(true);
    });

    it.each([
      ['a malformed range', 'bytes=abc'],
      ['another unit', 'items=0-5'],
      ['several ranges', 'bytes=0-1,10-11'],
      ['several adjacent ranges', 'bytes=0-5,6-10'],
      ['several ranges, one past the end', 'bytes=0-5,999999999-'],
      ['an end before its start', 'bytes=5-2'],
    ])('%s: the whole recording, 200', async (_name, range) => {
      const response = await fetchMedia(audioUrl, { headers: { Range: range } });
      expect(response.status).toBe(200);
      expect(response.body.equals(recorded)).toBe(true);
    });

    it('a range past the end: 416 with Content-Range bytes */size, in the error body', async () => {
      const response = await fetchMedia(audioUrl, { headers: { Range: `bytes=${RECORDING_SIZE}-` } });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe(`bytes */${RECORDING_SIZE}`);
      expect(response.headers.get('content-disposition')).toBeNull();
      const body = JSON.parse(response.body.toString('utf8'));
      expect(body).toMatchObject({ error: 'api_key_validation_failed', reason_code: 'range_not_satisfiable', request_id: response.headers.get('x-request-id') });
    });

    it('HEAD: the length and headers of GET, and no body', async () => {
      const response = await fetchMedia(audioUrl, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(RECORDING_SIZE));
      expect(response.headers.get('content-type')).toBe('audio/wav');
      expect(response.body.length).toBe(0);
      const ranged = await fetchMedia(audioUrl, { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-length')).toBe('10');
    });

    it('answers no other method', async () => {
      const response = await fetchMedia(audioUrl, { method: 'POST' });
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body.toString('utf8')).reason_code).toBe('route_not_found');
    });
  });

  describe('a URL that is not exactly one the service signed', () => {
    let audioUrl: URL;
    beforeAll(async () => {
      audioUrl = new URL((await get(AUDIO, TOKEN).expect(200)).body.audio_url);
    });

    /** The URL with one query parameter replaced, added (`value` for a new name) or removed (`null`). */
    const withParam = (name: string, value: string | null) => {
      const url = new URL(audioUrl);
      if (value === null) url.searchParams.delete(name);
      else url.searchParams.set(name, value);
      return url.toString();
    };
    const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

    it.each([
      ['a changed signature', () => withParam('signature', flip(audioUrl.searchParams.get('signature')!, 5))],
      ['a changed expiry (later)', () => withParam('expires', String(Number(audioUrl.searchParams.get('expires')) + 3600))],
      ['a changed sealed key', () => withParam('key', flip(audioUrl.searchParams.get('key')!, 30))],
      ['another recording id', () => audioUrl.toString().replace(/rec_[A-Za-z0-9_-]{4}/, 'rec_AAAA')],
      ['no signature', () => withParam('signature', null)],
      ['no expiry', () => withParam('expires', null)],
      ['no key', () => withParam('key', null)],
      ['a truncated signature', () => withParam('signature', audioUrl.searchParams.get('signature')!.slice(0, 40))],
      ['a padded signature', () => withParam('signature', `${audioUrl.searchParams.get('signature')}=`)],
      ['a truncated URL', () => audioUrl.toString().slice(0, audioUrl.toString().length - 10)],
      ['no query at all', () => `${audioUrl.origin}${audioUrl.pathname}`],
      ['an extra parameter', () => withParam('download', '1')],
      ['a repeated parameter', () => `${audioUrl.toString()}&expires=${audioUrl.searchParams.get('expires')}`],
      ['a path that is no recording id', () => audioUrl.toString().replace(/rec_[^?]+/, 'etc_passwd')],
    ])('%s: 403 media_url_invalid', async (_name, url) => {
      const response = await fetchMedia(url());
      expect(response.status).toBe(403);
      const body = JSON.parse(response.body.toString('utf8'));
      expect(body).toEqual({
        error: 'api_key_validation_failed',
        reason_code: 'media_url_invalid',
        message: expect.any(String),
        field: null,
        request_id: response.headers.get('x-request-id'),
      });
      expect(response.headers.get('cache-control')).toBe('private, no-store');
    });

    /** A URL for `recordingId` and `keyId`, signed as a deployment with `secret` (default: this one's) would. */
    const signed = (recordingId: string, keyId: string, secret?: string) => {
      const signer = new MediaUrlSigner(loadAppConfig({ NODE_ENV: 'test', ...(secret && { MEDIA_URL_SECRET: secret }) }));
      return `${audioUrl.origin}${signer.sign({ recordingId, keyId, expiresAtSeconds: Math.floor(Date.now() / 1000) + 60 })}`;
    };
    const recordingIdOf = async (documentId: string) =>
      (await t.dataSource.query<{ recording_id: string }[]>('SELECT recording_id FROM recordings WHERE document_id = $1', [documentId]))[0].recording_id;

    it('a URL signed under another MEDIA_URL_SECRET: 403 media_url_invalid (the same one under this secret works)', async () => {
      const recordingId = await recordingIdOf('doc_audio_recorded');
      expect((await fetchMedia(signed(recordingId, 'key_audio'))).status).toBe(200);
      const response = await fetchMedia(signed(recordingId, 'key_audio', 'another-deployment-media-secret'));
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body.toString('utf8')).reason_code).toBe('media_url_invalid');
    });

    it.each([
      ['another organization’s recording', 'doc_audio_other', 'key_audio'],
      ['a demo encounter’s recording', 'doc_audio_demo', 'key_audio'],
      ['a key that no longer exists', 'doc_audio_recorded', 'key_audio_deleted'],
      ['a key without recordings:read', 'doc_audio_recorded', 'key_audio_no_recordings'],
      ['a key of an organization without documents.audio', 'doc_audio_recorded', 'key_audio_no_route'],
    ])('a validly signed URL for %s: 403 media_url_invalid', async (_name, documentId, keyId) => {
      const response = await fetchMedia(signed(await recordingIdOf(documentId), keyId));
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body.toString('utf8')).reason_code).toBe('media_url_invalid');
    });
  });
});

describe('with MEDIA_BASE_URL', () => {
  let t: TestApp;
  let files: RecordingFiles;

  beforeAll(async () => {
    files = await recordingFiles();
    for (const name of ['visit.wav', 'demo.wav', 'other.wav']) await files.write(name, 1_000);
    t = await startTestApp({ env: { MEDIA_BASE_URL: 'https://media.example.test' } });
    await t.load(scenario(files));
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  it('media URLs are on that origin, whatever the Host of the request', async () => {
    const { body } = await t.http().get(AUDIO).set('Authorization', bearer(TOKEN)).set('Host', 'internal.example:8080').expect(200);
    expect(body.audio_url).toMatch(/^https:\/\/media\.example\.test\/media\/v1\/recordings\/rec_[^/?]+\?expires=\d+&key=[\w-]+&signature=[\w-]{43}$/);
  });
});

describe('in production without MEDIA_URL_SECRET', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  let files: RecordingFiles;

  beforeAll(async () => {
    files = await recordingFiles();
    for (const name of ['visit.wav', 'demo.wav', 'other.wav']) await files.write(name, 1_000);
    t = await startTestApp({ env: { NODE_ENV: 'production', API_KEY_DIGEST_SECRET: 'production-digest-secret' }, logger });
    await t.load(scenario(files));
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  it('warns at start', () => {
    expect(logger.lines.some((line) => line.includes('MEDIA_URL_SECRET is not set') && line.includes('503'))).toBe(true);
  });

  it('answers the audio route 503 service_unavailable with Retry-After, after checks 1-5', async () => {
    expectError(await t.http().get(AUDIO).set('Authorization', bearer(TOKEN)), 503, 'service_unavailable');
    expectError(await t.http().get(AUDIO), 401, 'missing_bearer');
    expectError(await t.http().get(AUDIO).set('Authorization', bearer('ch_sk_audio_no_recordings')), 403, 'missing_scope', { missingScopes: ['recordings:read'] });
  });

  it('serves every other route', async () => {
    await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)).expect(200);
    await t.http().get('/external/v1/encounters/enc_audio/documents/doc_audio_recorded/transcript').set('Authorization', bearer(TOKEN)).expect(200);
  });
});

describe('media URLs over time', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let files: RecordingFiles;
  /** The contract's bound for a change made elsewhere to stop a URL. */
  const PROPAGATION_LIMIT_MS = 2_000;

  beforeAll(async () => {
    files = await recordingFiles();
    await files.write('visit.wav', 5_000);
    database = await createTestDatabase();
    const shared = borrowed(database);
    // Two instances of one deployment: one database, one recordings directory, one secret.
    a = await startTestApp({ database: shared });
    b = await startTestApp({ database: shared, env: { RECORDINGS_DIR: a.recordingsDir } });
    await a.load({
      organizations: [organization(ORG), organization('org_audio_losing')],
      api_keys: [
        apiKey('key_audio_to_revoke', ORG, 'ch_sk_audio_to_revoke'),
        apiKey('key_audio_to_disable', ORG, 'ch_sk_audio_to_disable'),
        apiKey('key_audio_bystander', ORG, 'ch_sk_audio_bystander'),
        apiKey('key_audio_losing', 'org_audio_losing', 'ch_sk_audio_losing'),
      ],
      patients: [patient('pat_audio', ORG), patient('pat_audio_losing', 'org_audio_losing')],
      encounters: [encounter('enc_audio', ORG, 'pat_audio', '2026-05-25T14:00:00Z'), encounter('enc_audio_losing', 'org_audio_losing', 'pat_audio_losing', '2026-05-25T14:00:00Z')],
      documents: [
        transcriptDocument('doc_audio_recorded', 'enc_audio', { recording: { file: `${files.dir}/visit.wav`, content_type: 'audio/wav' } }),
        transcriptDocument('doc_audio_losing', 'enc_audio_losing', { recording: { file: `${files.dir}/visit.wav`, content_type: 'audio/wav' } }),
      ],
    });
    await a.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await database.drop();
    await files.remove();
  });

  /** An audio URL issued by A to the key of `token`. */
  const urlFor = async (token: string, path = AUDIO) => (await a.http().get(path).set('Authorization', bearer(token)).expect(200)).body.audio_url as string;

  /** What A answers for a URL once the contract's bound has passed on its clock since a change made on B. */
  async function fetchOnceTheLimitHasPassed(url: string) {
    a.clock.advance(PROPAGATION_LIMIT_MS);
    const response = await fetchMedia(url, { headers: { Range: 'bytes=0-0' } });
    return { status: response.status, reasonCode: response.status === 403 ? JSON.parse(response.body.toString('utf8')).reason_code : null };
  }

  it('an expired URL: 403 media_url_expired, in the error body, from the second of its expiry', async () => {
    const url = await urlFor('ch_sk_audio_bystander');
    const expiresAt = Number(new URL(url).searchParams.get('expires')) * 1000;
    a.clock.freeze(expiresAt - 1);
    try {
      expect((await fetchMedia(url)).status).toBe(200);
      a.clock.advance(1);
      const response = await fetchMedia(url);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body.toString('utf8'))).toMatchObject({ error: 'api_key_validation_failed', reason_code: 'media_url_expired', field: null });
    } finally {
      // Back to now: B's URLs, on B's clock, must still be valid on A for the tests below.
      a.clock.reset();
    }
  });

  describe('a key changed on another instance (B) stops its URLs on A within 2 s', () => {
    // Issued by B, fetched from A: two instances of one deployment.
    const urlFromB = async (token: string, path = AUDIO) => {
      const { body } = await b.http().get(path).set('Authorization', bearer(token)).expect(200);
      const url = new URL(body.audio_url);
      return `${await a.app.getUrl()}${url.pathname}${url.search}`;
    };

    it.each([
      ['revoked', 'key_audio_to_revoke', 'ch_sk_audio_to_revoke'],
      ['disabled', 'key_audio_to_disable', 'ch_sk_audio_to_disable'],
    ] as const)('%s', async (status, keyId, token) => {
      const url = await urlFromB(token);
      const bystander = await urlFromB('ch_sk_audio_bystander');
      expect((await fetchMedia(url)).status).toBe(200); // cached as good on A

      await b.app.get(ApiKeysService).changeStatus(keyId, status);

      expect(await fetchOnceTheLimitHasPassed(url)).toEqual({ status: 403, reasonCode: 'media_url_invalid' });
      expect((await fetchMedia(bystander)).status).toBe(200);
    });

    it('its organization loses documents.audio', async () => {
      const url = await urlFromB('ch_sk_audio_losing', audioOf('enc_audio_losing', 'doc_audio_losing'));
      expect((await fetchMedia(url)).status).toBe(200);

      await b.app.get(PartnerAllowlistService).allow(
        'org_audio_losing',
        ALL_ROUTES.filter((route) => route !== 'documents.audio'),
      );

      expect(await fetchOnceTheLimitHasPassed(url)).toEqual({ status: 403, reasonCode: 'media_url_invalid' });
    });
  });
});

describe('in production without API_KEY_DIGEST_SECRET either', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => t.close());

  it('answers digest_key_unavailable, the authentication check, first', async () => {
    expectError(await t.http().get(AUDIO).set('Authorization', bearer(TOKEN)), 503, 'digest_key_unavailable');
  });
});
