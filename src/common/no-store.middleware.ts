import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Partner responses are patient data: no browser, proxy or CDN may keep a copy. */
@Injectable()
export class NoStoreMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    if (request.originalUrl.startsWith('/external/')) response.setHeader('Cache-Control', 'no-store');
    next();
  }
}
