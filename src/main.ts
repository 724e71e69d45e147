import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module';
import { ConfigError, loadAppConfig } from './config/load-app-config';
import { DrainingState } from './health/draining-state';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  const app = await createHttpApp(AppModule.forRoot(config));
  // No host: Node listens on every interface, IPv6 and IPv4.
  await app.listen(config.port);
  const logger = new Logger('Main');
  logger.log(`ChartHero External API listening on ${await app.getUrl()} (${config.database.kind})`);

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

main().catch((error: unknown) => {
  // Bad configuration stops the start with one clear line (docs/operations.md).
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
