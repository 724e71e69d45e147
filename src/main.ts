import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type pino from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { loadAppConfig, loggingBeforeConfig } from './config/load-app-config';
import { DrainingState } from './health/draining-state';
import { createHttpApp } from './http-app';
import { nestLoggerOf } from './logging/nest-logger';
import { createRootLogger, exitOnceWritten } from './logging/root-logger';
import { describeStartupFailure } from './startup-failure';

/**
 * `npm run start:prod`. Every line the process writes is one of its pino logger's, from the
 * first (JSON in production) to a failed start's last: one error line naming the cause, then
 * exit code 1. "listening" is logged once both ports are bound, never before a failure.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    return failStart(createRootLogger(loggingBeforeConfig(process.env)), error, null);
  }
  const root = createRootLogger(config.logging);
  try {
    await serve(config, root);
  } catch (error) {
    failStart(root, error, config);
  }
}

async function serve(config: AppConfig, root: pino.Logger): Promise<void> {
  const app = await createHttpApp(AppModule.forRoot(config, root), nestLoggerOf(root));
  // No host: Node listens on every interface, IPv6 and IPv4.
  await app.listen(config.port);
  const logger = new Logger('Main');
  const metrics = config.metricsPort === null ? 'metrics off' : `metrics on port ${config.metricsPort}`;
  logger.log(`ChartHero External API listening on ${await app.getUrl()} (${config.database.kind}; ${metrics})`);

  // Nest's shutdown hooks (enableShutdownHooks) close the server once its requests have
  // finished, settle the webhook dispatcher, then close the pool. This marks the instance not
  // ready at once, and bounds all of it.
  const drain = (signal: NodeJS.Signals) => {
    app.get(DrainingState).start();
    logger.log(`${signal}: draining (readiness 503); exiting within ${config.shutdownTimeoutMs} ms`);
    setTimeout(() => {
      logger.error(`shutdown took longer than SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms): exiting now`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', drain);
  process.once('SIGINT', drain);
}

/** The start's last line, then exit 1 once every line is written, in order (exitOnceWritten). */
function failStart(root: pino.Logger, error: unknown, config: AppConfig | null): void {
  const { message, unforeseen } = describeStartupFailure(error, config);
  root.error(unforeseen ? { err: error } : {}, message);
  exitOnceWritten(root, 1);
}

void main();
