import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadAppConfig } from './config/load-app-config';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  const app = await createHttpApp(config);
  // Every IPv4 interface (Fastify's default would be localhost only).
  await app.listen(config.port, '0.0.0.0');
  new Logger('Main').log(`ChartHero External API listening on ${await app.getUrl()} (${config.database.kind})`);
}

main().catch((error: unknown) => {
  // Bad configuration stops the start with one clear line (OPERATIONS.md).
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
