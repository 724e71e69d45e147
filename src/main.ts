import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module';
import { ConfigError, loadAppConfig } from './config/load-app-config';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  const app = await createHttpApp(AppModule.forRoot(config));
  // No host: Node listens on every interface, IPv6 and IPv4.
  await app.listen(config.port);
  new Logger('Main').log(`ChartHero External API listening on ${await app.getUrl()} (${config.database.kind})`);
}

main().catch((error: unknown) => {
  // Bad configuration stops the start with one clear line (docs/operations.md).
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
