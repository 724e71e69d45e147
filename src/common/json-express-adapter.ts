import { StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import { createServer } from 'node:http';
import { Disclosed } from '../audit/disclosure';

/**
 * How often Node checks its connections against `headersTimeout` and `requestTimeout`: by
 * default every 30 s, so that a slow sender could hold a connection 30 s past its bound.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** What must happen before a `Disclosed` body is written: its audit record committed (partner/phi-disclosure-gate.ts). */
export interface DisclosureGate {
  /** Resolves once the body may be written; rejects (with the error to answer instead) when it may not. */
  release(response: Response, disclosed: Disclosed<unknown>): Promise<void>;
}

/**
 * Express, on a Node server that enforces its timeouts within a second, with the JSON bodies
 * of handlers and of the error filter written in one step, and a partner handler's `Disclosed`
 * body written only once the disclosure gate releases it.
 *
 * `res.json` → `res.send` would look up the app's JSON settings, parse and rebuild the
 * Content-Type to set its charset, copy a body over 1,000 characters into a Buffer and check
 * request freshness on every response: about 0.04 ms of CPU per request on a plain Express
 * route (docs/PERFORMANCE.md). The bytes are the same, since the app sets none of Express's
 * JSON settings (replacer, spaces, escape) and no ETag; Node leaves the body out of a HEAD
 * response. Anything but a plain object or array goes to Express as before.
 */
export class JsonExpressAdapter extends ExpressAdapter {
  private disclosureGate: DisclosureGate | null = null;

  /** Nest's, but for an option it cannot pass: `connectionsCheckingInterval` (set at creation only). */
  override initHttpServer(): void {
    this.setHttpServer(createServer({ connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, this.getInstance()));
  }

  /** Set once at boot (configureHttpApp). Until then a `Disclosed` body is refused: never written unaudited. */
  useDisclosureGate(gate: DisclosureGate): void {
    this.disclosureGate = gate;
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (body instanceof Disclosed) return this.replyDisclosed(response, body as Disclosed<unknown>, statusCode);
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
  private async replyDisclosed(response: Response, disclosed: Disclosed<unknown>, statusCode: number | undefined): Promise<void> {
    if (this.disclosureGate === null) throw new Error('A Disclosed body was returned before a disclosure gate was set (configureHttpApp): it is not sent unaudited.');
    const json = JSON.stringify(disclosed.body);
    if (statusCode !== undefined) response.statusCode = statusCode;
    await this.disclosureGate.release(response, disclosed);
    writeJson(response, json);
  }
}

function writeJson(response: Response, json: string, statusCode?: number): Response {
  if (statusCode !== undefined) response.statusCode = statusCode;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(json));
  return response.end(json);
}
