import type { LoggerService } from '@nestjs/common';
import { Logger, PinoLogger, type Params } from 'nestjs-pino';
import type pino from 'pino';

/**
 * Nest's lines about building and starting the application. They go to debug: the service
 * says itself that it listens (main.ts, once both ports are bound) and why a start failed
 * (startup-failure.ts, in one line). At info, Nest would log "successfully started" before a
 * port is bound, and the error of a failed start a second time, with its stack.
 */
const FRAMEWORK_CONTEXTS: ReadonlySet<unknown> = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'ExceptionHandler']);

/** Nest passes the context as the last argument. */
const fromFramework = (optionalParams: unknown[]): boolean => FRAMEWORK_CONTEXTS.has(optionalParams.at(-1));

class ServiceNestLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (fromFramework(optionalParams)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    if (fromFramework(optionalParams)) super.debug(message, ...optionalParams);
    else super.error(message, ...optionalParams);
  }
}

/**
 * Nest's logger (every `new Logger(…)` of the code, and Nest's own) as lines of the process's
 * pino logger, from the first line of boot on: given to `NestFactory.create`, so that nothing
 * is buffered or printed by Nest's text logger first. nestjs-pino keeps the first root logger
 * it is given for the whole process: call this once per process (main.ts, demo.ts).
 *
 * Only nestjs-pino's logger is used, never its request middleware: the access log is mounted
 * ahead of every route by configureHttpApp, so that requests refused before Nest routes them
 * are logged too (observability/access-log.ts), and binding each request's logger with
 * AsyncLocalStorage turns on promise hooks for every request on Node 20, measured at 0.2 ms of
 * CPU a request, a quarter of a document fetch (docs/PERFORMANCE.md). The request id is in the
 * access line, and in the one event that concerns a request (ErrorBodyFilter).
 */
export function nestLoggerOf(root: pino.Logger): LoggerService {
  const params: Params = { pinoHttp: { logger: root }, useExisting: true };
  return new ServiceNestLogger(new PinoLogger(params), params);
}
