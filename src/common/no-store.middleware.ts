import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Fastify's middleware engine makes `url` relative to the mount path; `originalUrl` is the path as sent. */
interface MountedRequest extends IncomingMessage {
  originalUrl?: string;
}

/** Partner responses are patient data: no browser, proxy or CDN may keep a copy. */
@Injectable()
export class NoStoreMiddleware implements NestMiddleware {
  use(request: MountedRequest, response: ServerResponse, next: () => void): void {
    if ((request.originalUrl ?? request.url)?.startsWith('/external/')) response.setHeader('Cache-Control', 'no-store');
    next();
  }
}
