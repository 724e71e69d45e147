import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

/** A caller's id is echoed only if it cannot smuggle anything into headers or logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestWithId extends Request {
  requestId?: string;
}

/** Gives every request an id: the caller's `X-Request-Id` when sane, else a new one. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(request: RequestWithId, response: Response, next: NextFunction): void {
    const sent = request.header('x-request-id');
    request.requestId = sent !== undefined && SANE_REQUEST_ID.test(sent) ? sent : `req_${randomUUID()}`;
    response.setHeader('X-Request-Id', request.requestId);
    next();
  }
}
