import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SECURITY_HEADERS, securityHeaders } from '../../src/common/response-headers.middleware';

/** The headers helmet itself sets on a real response to `path`, sent with `headers`. */
async function helmetHeadersOn(server: Server, path: string, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      response.resume();
      resolve(response.headers);
    })
      .on('error', reject)
      .end();
  });
}

describe('SECURITY_HEADERS', () => {
  let server: Server;

  beforeAll(async () => {
    server = createServer((request, response) => securityHeaders(request as never, response as never, () => response.end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['a partner route', '/external/v1/encounters?limit=1', { Authorization: 'Bearer ch_sk_x', Accept: 'application/json' }],
    ['the reference page, from a browser', '/docs', { Accept: 'text/html', 'User-Agent': 'Mozilla/5.0', 'X-Forwarded-Proto': 'https' }],
  ])('are exactly what helmet sets on %s: read once at start, they hold for every request', async (_case, path, headers) => {
    const sent = await helmetHeadersOn(server, path, headers);
    const set = Object.fromEntries(SECURITY_HEADERS.map(([name, value]) => [name.toLowerCase(), value]));
    const fromHelmet = Object.fromEntries(Object.entries(sent).filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)));
    expect(set).toEqual(fromHelmet);
    expect(set['x-content-type-options']).toBe('nosniff');
  });
});
