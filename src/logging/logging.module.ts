import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type pino from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from './root-logger';

/** The process's pino logger (`createRootLogger`), injected with `@Inject(ROOT_LOGGER)`. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * Logging through pino: nestjs-pino turns Nest's `Logger` into pino lines (http-app.ts installs
 * it). Its own pino-http is not used (`useExisting`): the access log is mounted ahead of every
 * route by configureHttpApp, so that requests refused before Nest routes them are logged too
 * (observability/access-log.ts). Nor is its middleware that binds each request's logger with
 * AsyncLocalStorage (`forRoutes: []`): on Node 20 that turns on promise hooks for every request,
 * measured at 0.2 ms of CPU a request, a quarter of a document fetch (docs/PERFORMANCE.md). The
 * request id is in the access line, and in the one event that concerns a request (ErrorBodyFilter).
 */
@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ROOT_LOGGER],
      useFactory: (root: pino.Logger) => ({ pinoHttp: { logger: root }, useExisting: true, forRoutes: [] }),
    }),
  ],
  providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: (config: AppConfig) => createRootLogger(config.logging) }],
  exports: [ROOT_LOGGER],
})
export class LoggingModule {}
