import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** A host as a Host header may name it: a name or IPv4 address, or a bracketed IPv6 one, and a port. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The origin the request was sent to (`http://localhost:3000`), for URLs that point back at
 * this service when `MEDIA_BASE_URL` is not set. A missing or malformed Host header falls back
 * to the address the connection reached.
 */
export const RequestOrigin = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<Request>();
  const host = request.headers.host;
  if (host !== undefined && HOST.test(host)) return `${request.protocol}://${host}`;
  const { localAddress, localPort } = request.socket;
  const address = localAddress?.includes(':') ? `[${localAddress}]` : localAddress;
  return `${request.protocol}://${address}:${localPort}`;
});
