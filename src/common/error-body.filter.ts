import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Response } from 'express';
import { databaseFailureSummary, errorSummary, isDatabaseUnavailable, missingPrivilegeOf } from './database-unavailable';
import { RepeatedLogSampler, suppressedNote } from './repeated-log-sampler';
import { ApiError } from './api-error';
import type { ErrorBodyDto } from './error-body.dto';
import { errorCategoryOf, type ReasonCode } from './reason-codes';
import type { IdentifiedRequest } from './response-headers.middleware';

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Writes every error response, whatever threw it, as the public error body of docs/api.md.
 * Our own checks throw `ApiError`s; what Nest or Express refuse is translated to a documented
 * code (`refusalCodeOf`); anything else is answered without its details: no stack, SQL or
 * data ever reaches the caller.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorBodyFilter.name);
  private readonly sampler = new RepeatedLogSampler();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<IdentifiedRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toApiError(exception, request);

    if (error.status === HttpStatus.SERVICE_UNAVAILABLE) response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
    if (error.details.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.details.retryAfterSeconds));
    (response.locals as AnsweredLocals).reasonCode = error.reasonCode;
    // Written as every response body is (JsonExpressAdapter).
    this.adapterHost.httpAdapter.reply(response, errorBodyOf(error, request.requestId), error.status);
  }

  private toApiError(exception: unknown, request: IdentifiedRequest): ApiError {
    if (exception instanceof ApiError) return exception;
    const refusal = exception instanceof HttpException ? refusalCodeOf(exception) : null;
    if (refusal !== null) return new ApiError(refusal);
    if (missingPrivilegeOf(exception) !== null) {
      // A deployment fault, not a bug: no stack, once per privilege and interval, and what fixes it.
      const summary = databaseFailureSummary(exception);
      const suppressed = this.sampler.admit(`privilege ${summary}`);
      if (suppressed !== null) this.logger.error(`Database privilege missing on ${describeRequest(request)}: ${summary}${suppressedNote(suppressed)}`);
      return new ApiError('service_unavailable');
    }
    if (isDatabaseUnavailable(exception) || exception instanceof ServiceUnavailableException) {
      // Expected while the database is away: one line, no stack, and once per kind and interval.
      const summary = errorSummary(exception);
      const suppressed = this.sampler.admit(`unavailable ${summary}`);
      if (suppressed !== null) this.logger.warn(`Service unavailable on ${describeRequest(request)}: ${summary}${suppressedNote(suppressed)}`);
      return new ApiError('service_unavailable');
    }
    // A bug: with its stack, but a bug hit by every request is still logged once per interval.
    const details = describeForLog(exception);
    const suppressed = this.sampler.admit(`internal ${details}`);
    if (suppressed !== null) this.logger.error(`Unexpected error on ${describeRequest(request)}: ${details}${suppressedNote(suppressed)}`);
    return new ApiError('internal_error');
  }
}

/**
 * What Nest and Express answer when they refuse a request before or instead of a handler, as
 * reason codes; any other 4xx of theirs is `invalid_request`.
 */
const FRAMEWORK_REFUSALS: ReadonlyMap<number, ReasonCode> = new Map<HttpStatus, ReasonCode>([
  [HttpStatus.NOT_FOUND, 'route_not_found'],
  [HttpStatus.METHOD_NOT_ALLOWED, 'route_not_found'],
  // Our own refusals are ApiErrors with their codes. A framework 403 (a guard answering false,
  // a file server refusing a path) tells the caller no more than that nothing is served there.
  [HttpStatus.FORBIDDEN, 'route_not_found'],
  [HttpStatus.PAYLOAD_TOO_LARGE, 'payload_too_large'],
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type'],
]);

/** The reason code of a request the framework refused, or null for a server fault (5xx). */
function refusalCodeOf(exception: HttpException): ReasonCode | null {
  const status = exception.getStatus();
  if (status >= 500) return null;
  // Express cannot decode the path (`%zz`) while matching it: no route can be chosen.
  if (exception.cause instanceof URIError) return 'route_not_found';
  return FRAMEWORK_REFUSALS.get(status) ?? 'invalid_request';
}

/** Method, path and request id, for a log line: the query string may carry anything a caller typed. */
function describeRequest(request: IdentifiedRequest): string {
  return `${request.method} ${request.path} [${request.requestId}]`;
}

interface AnsweredLocals {
  reasonCode?: ReasonCode;
}

/** The reason code a response was answered with (for its access line), or null for a success. */
export function reasonCodeOf(response: Response): ReasonCode | null {
  return (response.locals as AnsweredLocals).reasonCode ?? null;
}

/** The public error body of an `ApiError` (docs/api.md "Errors"). */
export function errorBodyOf(error: ApiError, requestId: string): ErrorBodyDto {
  return {
    error: errorCategoryOf(error.status),
    reason_code: error.reasonCode,
    message: error.message,
    field: error.details.field ?? null,
    request_id: requestId,
    ...(error.details.missingScopes && { missing_scopes: error.details.missingScopes }),
    ...(error.details.notReady && { not_ready: error.details.notReady }),
  };
}

interface ErrorFields {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
}

/**
 * Enough to debug, nothing that may hold patient data: database errors are logged by name
 * and SQLSTATE with the stack frames, never their message (it can quote row values).
 */
function describeForLog(exception: unknown): string {
  // Duck-typed: errors raised by Node's sockets may come from another realm than `Error`.
  if (typeof exception !== 'object' || exception === null) return `non-error thrown (${typeof exception})`;
  const { name, message, stack, code } = exception as ErrorFields;
  const text = typeof stack === 'string' ? stack : `${String(name)}: ${String(message)}`;
  if (typeof code !== 'string') return text;
  const frames = text.split('\n').filter((line) => line.trimStart().startsWith('at '));
  return [errorSummary(exception), ...frames].join('\n');
}
