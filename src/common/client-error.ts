import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from './api-error';
import { errorBodyOf } from './error-body.filter';
import type { ReasonCode } from './reason-codes';

/** What any request may be answered before it reaches a route (every operation documents them). */
export const CLIENT_ERROR_CODES: readonly ReasonCode[] = ['invalid_request', 'request_timeout', 'request_header_too_large'];

/**
 * What Node's HTTP parser refuses before any middleware runs, as reason codes: a header block
 * over the size limit (request line included), a request that took too long to arrive, and
 * anything else it cannot parse.
 */
function reasonCodeOf(error: NodeJS.ErrnoException): ReasonCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'request_header_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'invalid_request';
}

/**
 * The server's `clientError` handler: Node would answer these with a bare status line. Here
 * they get the public error body and the headers every response has (docs/api.md), then the
 * connection is closed. Nothing of the request is echoed, not even a request id it may carry:
 * the request could not be read.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A connection reset or already answered has nothing to write to.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const apiError = new ApiError(reasonCodeOf(error));
  const requestId = `req_${randomUUID()}`;
  const body = JSON.stringify(errorBodyOf(apiError, requestId));
  socket.end(
    [
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Cache-Control: no-store',
      'X-Content-Type-Options: nosniff',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
