import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { JsonExpressAdapter } from './json-express-adapter';
import { createOpenApiDocument, serveApiReference } from './openapi/openapi-document';

/**
 * The HTTP application as served: shared by `main.ts`, `demo.ts` and the e2e tests, so that
 * what is tested is what runs.
 */
export async function createHttpApp(config: AppConfig, options: { logger?: LoggerService | false } = {}): Promise<INestApplication> {
  // `/External/V1/Encounters` is not a route of the contract: paths match exactly. Express
  // fixes this when its router is created, so it is set before Nest registers anything.
  const server = express().set('case sensitive routing', true);
  // Every route is a GET: no body is ever read, so none is parsed.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new JsonExpressAdapter(server), {
    bodyParser: false,
    // Boot errors are thrown to the caller (main.ts prints them and exits) instead of exiting here.
    abortOnError: false,
    ...(options.logger !== undefined && { logger: options.logger }),
  });
  app.disable('x-powered-by');
  // Patient data is never cached (Cache-Control: no-store); conditional requests would be moot.
  app.set('etag', false);
  app.enableShutdownHooks();
  serveApiReference(app, createOpenApiDocument(app));
  return app;
}
