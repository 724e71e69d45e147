import { Agent, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CapturingLogger } from '../support/capturing-logger';
import { apiKey, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { rawRequest, stalledRequest, type RawResponse } from '../support/raw-http';
import { startTestApp, TestApp } from '../support/test-app';

const TOKEN = 'ch_sk_http_edges_full_access';
const AUTHORIZATION = `Authorization: Bearer ${TOKEN}`;

/** The public error body for `reasonCode`, with the request id of the response's header. */
function expectErrorBody(response: RawResponse, status: number, reasonCode: string): void {
  expect({ status: response.status, body: JSON.parse(response.body.toString('utf8')) }).toEqual({
    status,
    body: { error: 'not_found', reason_code: reasonCode, message: expect.any(String), field: null, request_id: response.headers['x-request-id'] },
  });
}

/**
 * What the HTTP layer does with requests an ordinary client would never send as typed: each
 * goes over a raw socket, so no client normalizes the path, resolves dot segments or drops a
 * body before the service sees it.
 */
describe('the HTTP edges', () => {
  let t: TestApp;
  let server: Server;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    t = await startTestApp({ logger });
    server = t.app.getHttpServer();
    await t.load({
      organizations: [organization('org_edges')],
      api_keys: [apiKey('key_edges', 'org_edges', TOKEN)],
      patients: [patient('pat_edges', 'org_edges')],
      encounters: [encounter('enc_edges', 'org_edges', 'pat_edges', '2026-05-25T14:00:00Z')],
      documents: [noteDocument('doc_edges_n', 'enc_edges'), transcriptDocument('doc_edges_t', 'enc_edges')],
    });
  });
  afterAll(() => t.close());

  describe('paths match exactly: anything else is 404 route_not_found, before authentication', () => {
    it.each([
      ['another case', '/External/v1/encounters'],
      ['a trailing slash on the list', '/external/v1/encounters/'],
      ['a trailing slash on a detail', '/external/v1/encounters/enc_edges/'],
      ['a leading double slash', '//external/v1/encounters'],
      ['a double slash inside', '/external//v1/encounters'],
      ['a double slash before an id', '/external/v1/encounters//enc_edges'],
      ['a path that is not valid percent-encoding', '/external/v1/encounters/%zz'],
      ['a dot-dot segment as an id', '/external/v1/encounters/..'],
      ['a percent-encoded dot-dot segment as an id', '/external/v1/encounters/%2e%2e'],
      ['a dot segment before a document', '/external/v1/encounters/enc_edges/./documents/doc_edges_n'],
      ['dot-dot up from the reference page', '/docs/..'],
      ['a dot segment in the reference page', '/docs/./index.html'],
      ['an encoded dot-dot segment in the reference page', '/docs/%2e%2e/x'],
      ['an upper-case encoded dot-dot segment', '/docs/%2E%2E/package.json'],
    ])('%s: %s', async (_case, path) => {
      const linesBefore = logger.lines.length;
      const response = await rawRequest(server, `GET ${path} HTTP/1.1\r\nHost: edges.test\r\n${AUTHORIZATION}\r\nX-Request-Id: req-edge-1`);
      expectErrorBody(response, 404, 'route_not_found');
      expect(response.headers['x-request-id']).toBe('req-edge-1');
      expect(response.headers['cache-control']).toBe(path.startsWith('/external/') ? 'no-store' : undefined);
      // Answered, not failed: nothing is logged as an error, no stack.
      expect(logger.lines.slice(linesBefore)).toEqual([]);
    });

    it('looks up an id of any length: 8 KiB of it is an unknown encounter, not a refused path', async () => {
      const response = await rawRequest(server, `GET /external/v1/encounters/${'e'.repeat(8 * 1024)} HTTP/1.1\r\nHost: edges.test\r\n${AUTHORIZATION}`);
      expectErrorBody(response, 404, 'encounter_not_found');
    });

    it('never parses a body: a POST of malformed JSON to a GET-only route is no route', async () => {
      const body = '{"a":';
      const head = `POST /external/v1/encounters HTTP/1.1\r\nHost: edges.test\r\n${AUTHORIZATION}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`;
      const response = await rawRequest(server, head, body);
      expectErrorBody(response, 404, 'route_not_found');
    });
  });

  it.each(['GET', 'OPTIONS'])('answers %s * (asterisk form) as no route, in the public body', async (method) => {
    const response = await rawRequest(server, `${method} * HTTP/1.1\r\nHost: edges.test`);
    expectErrorBody(response, 404, 'route_not_found');
    expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-request-id': expect.stringMatching(/^req_/) });
  });

  describe('a request target in absolute form (RFC 9112 §3.2.2), which servers must accept', () => {
    it.each([
      ['the list', '/external/v1/encounters'],
      ['a detail', '/external/v1/encounters/enc_edges'],
      ['a note', '/external/v1/encounters/enc_edges/documents/doc_edges_n'],
      ['a transcript', '/external/v1/encounters/enc_edges/documents/doc_edges_t/transcript'],
    ])('is routed like the origin form, and %s carries Cache-Control: no-store', async (_case, path) => {
      const response = await rawRequest(server, `GET http://any.host${path} HTTP/1.1\r\nHost: any.host\r\n${AUTHORIZATION}`);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body.toString('utf8')).toContain('enc_edges');
    });

    it('marks its errors no-store too', async () => {
      const response = await rawRequest(server, 'GET http://any.host/external/v1/encounters HTTP/1.1\r\nHost: any.host');
      expect(response.status).toBe(401);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  it('keeps an idle keep-alive connection past 60 s-class balancer timeouts: it says so, and the next request reuses it', async () => {
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = () =>
      new Promise<{ status: number; keepAlive: unknown; reusedSocket: boolean }>((resolve, reject) => {
        const request = get({ host: '127.0.0.1', port, path: '/health/live', agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, keepAlive: response.headers['keep-alive'], reusedSocket: request.reusedSocket }));
        });
        request.on('error', reject);
      });
    try {
      // Node announces the idle timeout it keeps the socket open for (its default is 5 s), and
      // closes the socket when it has passed: waiting for that is Node's own behaviour, not tested here.
      expect(await send()).toEqual({ status: 200, keepAlive: 'timeout=65', reusedSocket: false });
      expect(await send()).toEqual({ status: 200, keepAlive: 'timeout=65', reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('answers HEAD with the headers of GET and not one byte of body', async () => {
    const path = '/external/v1/encounters/enc_edges';
    const get = await rawRequest(server, `GET ${path} HTTP/1.1\r\nHost: edges.test\r\n${AUTHORIZATION}`);
    const head = await rawRequest(server, `HEAD ${path} HTTP/1.1\r\nHost: edges.test\r\n${AUTHORIZATION}`);
    expect(get.body.length).toBeGreaterThan(0);
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(get.body.length));
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
  });

  it('never says what serves it (no X-Powered-By) nor offers a validator of patient data (no ETag)', async () => {
    for (const path of ['/external/v1/encounters', '/external/v1/encounters/enc_edges', '/health', '/nope']) {
      const response = await rawRequest(server, `GET ${path} HTTP/1.1\r\nHost: edges.test\r\n${AUTHORIZATION}`);
      expect(response.headers).not.toHaveProperty('x-powered-by');
      expect(response.headers).not.toHaveProperty('etag');
    }
  });

  describe('requests Node itself cannot read', () => {
    const expectRefusal = (response: RawResponse, status: number, reasonCode: string) => {
      expect({ status: response.status, body: JSON.parse(response.body.toString('utf8')) }).toEqual({
        status,
        body: { error: 'api_key_validation_failed', reason_code: reasonCode, message: expect.any(String), field: null, request_id: response.headers['x-request-id'] },
      });
      expect(response.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-request-id': expect.stringMatching(/^req_[0-9a-f-]{36}$/),
        connection: 'close',
      });
    };

    it('a header block over 16 KiB: 431 request_header_too_large in the public body', async () => {
      expectRefusal(await rawRequest(server, `GET /external/v1/encounters HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(1_000_000)}`), 431, 'request_header_too_large');
    });

    it('a URL longer than the header limit: the same', async () => {
      expectRefusal(await rawRequest(server, `GET /external/v1/encounters?${'limit=1&'.repeat(10_000)} HTTP/1.1\r\nHost: x`), 431, 'request_header_too_large');
    });

    it('a malformed request line or header: 400 invalid_request in the public body', async () => {
      expectRefusal(await rawRequest(server, 'GET /external/v1/encounters HTTP/1.1\r\nHost: x\r\nBad Header: no'), 400, 'invalid_request');
      expectRefusal(await rawRequest(server, 'NOT A REQUEST LINE'), 400, 'invalid_request');
    });

    it('a client that stops sending its headers: 408 request_timeout in the public body, 10 s after it connected', async () => {
      const started = Date.now();
      expectRefusal(await stalledRequest(server, 'GET /external/v1/encounters HTTP/1.1\r\nHost: x\r\nX-Slow: '), 408, 'request_timeout');
      // headersTimeout, checked every second.
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
      expect(Date.now() - started).toBeLessThan(12_000);
    }, 20_000);

    it('keeps serving', async () => {
      expect((await rawRequest(server, 'GET /health/live HTTP/1.1\r\nHost: x')).status).toBe(200);
    });
  });
});
