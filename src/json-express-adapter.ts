import { StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';

/**
 * Express, with handlers' JSON bodies written in one step. Express's `res.json` → `res.send`
 * re-derives the Content-Type and its charset, copies bodies over 1,000 characters into a
 * Buffer and evaluates request freshness on every response; skipping that measured about 6%
 * of the service's CPU per detail or document request (docs/PERFORMANCE.md). The bytes are the
 * same: the app sets none of Express's JSON settings (replacer, spaces, escape) and no ETag,
 * and Node leaves the body out of a HEAD response. Anything else goes to Express as before.
 */
export class JsonExpressAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (body === null || typeof body !== 'object' || body instanceof StreamableFile || ArrayBuffer.isView(body)) {
      return super.reply(response, body, statusCode);
    }
    const json = JSON.stringify(body);
    if (statusCode !== undefined) response.statusCode = statusCode;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(json));
    return response.end(json);
  }
}
