/**
 * The logs of a real server process in production mode (issue 11): one JSON object a line, one
 * access line per request with its route, status, reason code, duration, organization and key,
 * and nothing a log may never hold — found by grepping everything the process wrote.
 */
import { createHmac } from 'node:crypto';
import { createCliScenario, type CliScenario } from '../support/cli-scenario';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const TOKEN = 'ch_sk_logs_full_access_0123456789';
const OTHER_TOKEN = 'ch_sk_logs_other_org_0123456789';
const UNKNOWN_TOKEN = 'ch_sk_logs_never_issued_0123456789';
const SECRETS = {
  API_KEY_DIGEST_SECRET: 'logs-digest-secret-4f1c9a7e2b',
  MEDIA_URL_SECRET: 'logs-media-url-secret-8d3e6b0a5c',
  WEBHOOK_SECRET_KEY: Buffer.from('logs-webhook-key-32-bytes-long!!').toString('base64'),
};
/** Patient fields and document text: none may appear in a log line. */
const PHI = {
  first_name: 'Zebulon',
  last_name: 'Quillfeather',
  date_of_birth: '1961-07-14',
  transcript: 'my chest hurts when I climb the stairs at Wexcombe Lane',
  note: 'Suspected angina; refer to cardiology at Harrowgate',
};
const COOKIE = 'session=cookie-value-7a1d93';
const AUDIO = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(2_000, 7)]);

describe('logs of the server process', () => {
  let scenario: CliScenario;
  let server: ServerProcess;
  let lines: Record<string, unknown>[];
  let raw: string;
  let mediaUrl: string;

  beforeAll(async () => {
    // The CLI stores key digests under the secret the server checks them with.
    scenario = await createCliScenario({ env: SECRETS });
    await scenario.file('visit.wav', AUDIO);
    const seed = {
      organizations: [organization('org_log'), organization('org_other')],
      api_keys: [apiKey('key_log', 'org_log', TOKEN), apiKey('key_other', 'org_other', OTHER_TOKEN)],
      patients: [patient('pat_log', 'org_log', { first_name: PHI.first_name, last_name: PHI.last_name, date_of_birth: PHI.date_of_birth })],
      encounters: [encounter('enc_log', 'org_log', 'pat_log', '2026-05-25T14:00:00Z')],
      documents: [
        transcriptDocument('doc_log_t', 'enc_log', {
          transcript: { provider: 'deepgram', turns: [{ speaker: 'patient', start: 0, end: 3.5, text: PHI.transcript }] },
          recording: { file: 'visit.wav', content_type: 'audio/wav' },
        }),
        noteDocument('doc_log_n', 'enc_log', { content: { format: 'markdown', text: PHI.note } }),
      ],
    };
    expect(await scenario.cli('fixtures', 'load', await scenario.file('seed.json', seed))).toMatchObject({ code: 0 });

    server = await startServerProcess(scenario, { NODE_ENV: 'production' });
    const call = async (path: string, requestId: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${server.base}${path}`, { headers: { Authorization: bearer(TOKEN), 'X-Request-Id': requestId, ...headers } });
      return { status: response.status, body: await response.text() };
    };
    expect(await call('/external/v1/encounters?limit=10', 'rq-list', { Cookie: COOKIE })).toMatchObject({ status: 200 });
    expect(await call('/external/v1/encounters/enc_log', 'rq-read')).toMatchObject({ status: 200 });
    expect(await call('/external/v1/encounters/enc_log/documents/doc_log_n', 'rq-note')).toMatchObject({ status: 200 });
    expect(await call('/external/v1/encounters/enc_log/documents/doc_log_t/transcript', 'rq-transcript')).toMatchObject({ status: 200 });
    const audio = await call('/external/v1/encounters/enc_log/documents/doc_log_t/audio', 'rq-audio');
    expect(audio.status).toBe(200);
    mediaUrl = (JSON.parse(audio.body) as { audio_url: string }).audio_url;
    expect((await fetch(mediaUrl, { headers: { 'X-Request-Id': 'rq-media' } })).status).toBe(200);
    expect(await call('/external/v1/encounters/enc_log', 'rq-other-org', { Authorization: bearer(OTHER_TOKEN) })).toMatchObject({ status: 403 });
    expect(await call('/external/v1/encounters', 'rq-unknown-key', { Authorization: bearer(UNKNOWN_TOKEN) })).toMatchObject({ status: 401 });
    expect(await call(`/external/v1/encounters?patient=${PHI.last_name}`, 'rq-bad-param')).toMatchObject({ status: 400 });
    expect(await call(`/external/v1/patients/${PHI.first_name}`, 'rq-no-route')).toMatchObject({ status: 404 });
    expect(await call('/external/v1/encounters/%2e%2e', 'rq-dot-segment')).toMatchObject({ status: 404 });

    expect(await server.stop()).toEqual({ code: 0, signal: null });
    raw = server.output();
    lines = raw
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  });
  afterAll(async () => {
    await server?.stop();
    await scenario.close();
  });

  const accessLineOf = (requestId: string) => {
    const found = lines.filter((line) => line.request_id === requestId && line.msg === 'request completed');
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('writes one JSON object a line, with an ISO time and a level name', () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) });
    }
  });

  it('writes exactly one access line per request, with these fields and no others', () => {
    expect(accessLineOf('rq-list')).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: expect.any(Number),
      hostname: expect.any(String),
      request_id: 'rq-list',
      method: 'GET',
      route: 'encounters.list',
      status: 200,
      reason_code: null,
      duration_ms: expect.any(Number),
      organization_id: 'org_log',
      key_id: 'key_log',
      msg: 'request completed',
    });
  });

  it.each([
    ['rq-read', 'encounters.read', 200, null, 'org_log'],
    ['rq-note', 'documents.read', 200, null, 'org_log'],
    ['rq-transcript', 'documents.transcript', 200, null, 'org_log'],
    ['rq-audio', 'documents.audio', 200, null, 'org_log'],
    ['rq-media', 'GET /media/v1/recordings/:recording_id', 200, null, null],
    ['rq-other-org', 'encounters.read', 403, 'cross_organization_denied', 'org_other'],
    ['rq-unknown-key', 'encounters.list', 401, 'invalid_key', null],
    ['rq-bad-param', 'encounters.list', 400, 'unsupported_filter', 'org_log'],
    ['rq-no-route', 'unmatched', 404, 'route_not_found', null],
    ['rq-dot-segment', 'unmatched', 404, 'route_not_found', null],
  ])('logs %s as route %s, status %d, reason %s, organization %s', (requestId, route, status, reasonCode, organizationId) => {
    expect(accessLineOf(requestId)).toMatchObject({ route, status, reason_code: reasonCode, organization_id: organizationId });
  });

  it('never writes a token, its digest, a secret, a cookie, a media URL signature, a patient field or document text', () => {
    const digest = (token: string) => createHmac('sha256', SECRETS.API_KEY_DIGEST_SECRET).update(token).digest('hex');
    const forbidden = [
      TOKEN,
      OTHER_TOKEN,
      UNKNOWN_TOKEN,
      digest(TOKEN),
      digest(UNKNOWN_TOKEN),
      ...Object.values(SECRETS),
      COOKIE,
      'cookie-value',
      new URL(mediaUrl).search.slice(1),
      ...[...new URL(mediaUrl).searchParams.values()].filter((value) => value.length >= 8),
      ...Object.values(PHI),
      'Wexcombe',
      'Harrowgate',
    ];
    expect(forbidden.filter((value) => raw.includes(value))).toEqual([]);
  });

  it('logs no stack trace for an expected error', () => {
    expect(raw).not.toMatch(/\bat .*\.js:\d+/);
  });
});
