import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable } from '../database/database-errors';
import { ApiError } from './api-error';
import type { ErrorBodyDto } from './error-body.dto';
import { errorCategoryOf } from './reason-codes';
import { RequestWithId } from './request-id.middleware';

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Writes every error response, whatever threw it, as the public error body of CONTRACT.md.
 * Anything that is not an `ApiError` is answered without its details: no stack, SQL or
 * data ever reaches the caller.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorBodyFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const requestId = (request.raw as RequestWithId).requestId ?? `req_${randomUUID()}`;
    const error = this.toApiError(exception, request, requestId);

    if (error.status === HttpStatus.SERVICE_UNAVAILABLE) httpAdapter.setHeader(response, 'Retry-After', RETRY_AFTER_SECONDS);
    httpAdapter.reply(response, errorBodyOf(error, requestId), error.status);
  }

  private toApiError(exception: unknown, request: FastifyRequest, requestId: string): ApiError {
    if (exception instanceof ApiError) return exception;
    // Nest answers a path or method no controller has with a NotFoundException; Fastify may
    // fail such a request earlier (a body of a type no route parses): no route, either way.
    if (exception instanceof NotFoundException || request.is404) return new ApiError('route_not_found');
    if (exception instanceof ServiceUnavailableException || isDatabaseUnavailable(exception)) {
      this.logger.warn(`Service unavailable on ${describeRequest(request, requestId)}: ${describeForLog(exception)}`);
      return new ApiError('service_unavailable');
    }
    this.logger.error(`Unexpected error on ${describeRequest(request, requestId)}: ${describeForLog(exception)}`);
    return new ApiError('internal_error');
  }
}

/** Method, path and request id, for a log line: the query string may carry anything a caller typed. */
function describeRequest(request: FastifyRequest, requestId: string): string {
  return `${request.method} ${request.url.split('?')[0]} [${requestId}]`;
}

/** The public error body of an `ApiError` (CONTRACT.md "Errors"). */
export function errorBodyOf(error: ApiError, requestId: string): ErrorBodyDto {
  return {
    error: errorCategoryOf(error.status),
    reason_code: error.reasonCode,
    message: error.message,
    field: error.details.field ?? null,
    request_id: requestId,
    ...(error.details.missingScopes && { missing_scopes: error.details.missingScopes }),
  };
}

/**
 * Enough to debug, nothing that may hold patient data: database errors are logged by name
 * and SQLSTATE with the stack frames, never their message (it can quote row values).
 */
function describeForLog(exception: unknown): string {
  // Duck-typed: errors raised by Node's sockets may come from another realm than `Error`.
  if (typeof exception !== 'object' || exception === null) return `non-error thrown (${typeof exception})`;
  const { name, message, stack, code } = exception as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const text = typeof stack === 'string' ? stack : `${String(name)}: ${String(message)}`;
  if (typeof code !== 'string') return text;
  const frames = text.split('\n').filter((line) => line.trimStart().startsWith('at '));
  return [`${String(name)} (code ${code})`, ...frames].join('\n');
}
