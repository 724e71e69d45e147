import type { Express } from 'express';
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInThisContext } from 'node:vm';
import { createExpressAdapter } from '../../src/http-app';

/** Sends one GET and resolves with its status once the response is read. */
async function get(server: Server, path: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

/**
 * Whether V8 keeps `object`'s properties in its fast layout (fields at fixed offsets) rather
 * than in a hash table, where every read and write of every layer costs a lookup. V8's own
 * test function, in source compiled once the flag allows it (TypeScript cannot parse it).
 */
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = runInThisContext('(object) => %HasFastProperties(object)') as (object: object) => boolean;

/**
 * Express gives each request and response its app's prototype; when Node makes them with
 * another, Express changes it, and V8 then keeps their objects past young-generation
 * collections (docs/PERFORMANCE.md, issue 23). The server makes them with Express's prototypes.
 */
describe('JsonExpressAdapter: requests and responses are made with Express’s prototypes', () => {
  let server: Server;
  let app: Express;
  const seen: { request: object; response: object; fast: boolean }[] = [];

  beforeAll(async () => {
    const adapter = createExpressAdapter();
    adapter.initHttpServer();
    server = adapter.getHttpServer();
    app = adapter.getInstance<Express>();
    app.get('/items/:id', (request, response) => {
      response.json({ id: request.params.id, path: request.path, fresh: request.fresh });
    });
    // Before Express's handler: what Node made.
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      seen.push({
        request: Object.getPrototypeOf(request) as object,
        response: Object.getPrototypeOf(response) as object,
        fast: hasFastProperties(request) && hasFastProperties(response),
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('has app.request and app.response as the prototypes before Express sees them, so that Express changes nothing', async () => {
    const before = seen.length;
    expect(await get(server, '/items/a')).toBe(200);
    expect(await get(server, '/items/b')).toBe(200);
    const made = seen.slice(before);
    expect(made).toHaveLength(2);
    for (const { request, response } of made) {
      expect(request).toBe(app.request);
      expect(response).toBe(app.response);
    }
  });

  it('keeps them in V8’s fast layout: made by subclasses of Node’s classes, they have room for the properties Node’s constructors add', async () => {
    const before = seen.length;
    expect(await get(server, '/items/d')).toBe(200);
    expect(seen.slice(before).map(({ fast }) => fast)).toEqual([true]);
  });

  it('keeps what Node and Express give them: Express’s helpers answer, as does an unknown path', async () => {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/items/c`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id: 'c', path: '/items/c', fresh: false });
    expect(await get(server, '/nowhere')).toBe(404);
  });
});
