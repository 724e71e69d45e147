import { StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express, Response } from 'express';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

/**
 * How often Node checks its connections against `headersTimeout` and `requestTimeout`: by
 * default every 30 s, so that a slow sender could hold a connection 30 s past its bound.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/**
 * What a handler's result must pass before its body is written: for a partner handler's
 * `Disclosed`, its audit record committed (partner/phi-disclosure-gate.ts).
 */
export interface ReplyGate {
  /** The body to write for `result` once `release` resolves, when the gate holds `result`; undefined when it does not. */
  heldBodyOf(result: unknown): object | undefined;
  /** Resolves once the body may be written; rejects (with the error to answer instead) when it may not. */
  release(response: Response, result: unknown): Promise<void>;
}

/**
 * Express, on a Node server that enforces its timeouts within a second, with the JSON bodies
 * of handlers and of the error filter written in one step, and a body the reply gate holds
 * written only once the gate releases it.
 *
 * `res.json` → `res.send` would look up the app's JSON settings, parse and rebuild the
 * Content-Type to set its charset, copy a body over 1,000 characters into a Buffer and check
 * request freshness on every response: about 0.04 ms of CPU per request on a plain Express
 * route (docs/PERFORMANCE.md). The bytes are the same, since the app sets none of Express's
 * JSON settings (replacer, spaces, escape) and no ETag; Node leaves the body out of a HEAD
 * response. Anything but a plain object or array goes to Express as before.
 */
export class JsonExpressAdapter extends ExpressAdapter {
  private replyGate: ReplyGate | null = null;

  /**
   * Nest's, but with options it cannot pass: `connectionsCheckingInterval` (set at creation
   * only), and the classes of requests and responses (`withExpressPrototypes`).
   */
  override initHttpServer(): void {
    const app = this.getInstance<Express>();
    const { ExpressRequest, ExpressResponse } = withExpressPrototypes(app);
    this.setHttpServer(createServer({ connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS, IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse }, app));
  }

  /** Set once at boot (configureHttpApp). Until then no body is written: none can pass ungated. */
  useReplyGate(gate: ReplyGate): void {
    this.replyGate = gate;
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (this.replyGate === null) throw new Error('No reply gate is set (configureHttpApp sets it): no body is written before one is.');
    const heldBody = this.replyGate.heldBodyOf(body);
    if (heldBody !== undefined) return this.replyHeld(response, body, heldBody, statusCode, this.replyGate);
    if (body === null || typeof body !== 'object' || body instanceof StreamableFile || ArrayBuffer.isView(body)) {
      return super.reply(response, body, statusCode);
    }
    return writeJson(response, JSON.stringify(body), statusCode);
  }

  /**
   * Nest awaits a reply, and hands its rejection to the exception filters like a handler's: a
   * gate that refuses answers its error instead of the body. The body is serialized before the
   * gate is awaited, so that while the record commits one string stays alive, not the objects
   * of a list page (what survives a young-generation collection is what it costs).
   */
  private async replyHeld(response: Response, result: unknown, body: object, statusCode: number | undefined, gate: ReplyGate): Promise<void> {
    const json = JSON.stringify(body);
    if (statusCode !== undefined) response.statusCode = statusCode;
    await gate.release(response, result);
    writeJson(response, json);
  }
}

/**
 * Node's request and response classes, extended so that their instances have `app`'s request
 * and response prototypes from the start: those prototypes become the subclasses' own
 * (inheriting from Express's, so that every helper and `app` is still found).
 *
 * Express gives each request and response its app's prototype with `Object.setPrototypeOf`,
 * which V8 pays for in every layer that touches them afterwards, and in garbage collection (a
 * third of the young generation survived each collection, where bare `node:http` keeps 1%).
 * Made with that prototype, they are not changed: Express's call finds it already set and does
 * nothing. They are made by subclasses, not by plain functions that call Node's constructors
 * on a new object: V8 sizes an object by its constructor, and a response made by a function
 * that assigns no property of its own had no room for the 40 that Node's constructors add, and
 * fell back to a hash table of properties (docs/PERFORMANCE.md, issue 23).
 */
function withExpressPrototypes(app: Express): { ExpressRequest: typeof IncomingMessage; ExpressResponse: typeof ServerResponse } {
  class ExpressRequest extends IncomingMessage {}
  class ExpressResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  // Express's own properties (`app.request = Object.create(request, { app })`), meant to be extended.
  app.request = ExpressRequest.prototype as unknown as Express['request'];
  app.response = ExpressResponse.prototype as unknown as Express['response'];
  return { ExpressRequest, ExpressResponse };
}

function writeJson(response: Response, json: string, statusCode?: number): Response {
  if (statusCode !== undefined) response.statusCode = statusCode;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(json));
  return response.end(json);
}
