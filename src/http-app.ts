import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import { ApiError } from './common/api-error';
import { errorBodyOf } from './common/error-body.filter';
import { requestIdFor } from './common/request-id.middleware';
import { AppConfig } from './config/app-config';
import { createOpenApiDocument, serveApiReference } from './openapi/openapi-document';

/**
 * The HTTP application as served: shared by `main.ts`, `demo.ts` and the e2e tests, so that
 * what is tested is what runs. Nest runs on Fastify: on Express the same route cost about
 * 0.07 ms more CPU per request (`npm run bench:adapters`, docs/PERFORMANCE.md).
 */
export async function createHttpApp(config: AppConfig, options: { logger?: LoggerService | false } = {}): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    routerOptions: {
      // `/External/V1/Encounters` is not a route of the contract: paths match exactly.
      caseSensitive: true,
      // Ids are opaque: a long one is looked up (404 encounter_not_found), never refused by the
      // router (414). Node refuses a request line over 16 KiB before any parameter gets this long.
      maxParamLength: 16 * 1024,
    },
    // A path that cannot be decoded (`/external/v1/encounters/%zz`) fails before routing, so
    // before Nest: it matches no route, and is answered so, in the contract's error body.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const requestId = requestIdFor(request.raw);
      void reply.code(404).header('X-Request-Id', requestId).header('Cache-Control', 'no-store').send(errorBodyOf(new ApiError('route_not_found'), requestId));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // Every route is a GET: no body is ever read, so none is parsed.
    bodyParser: false,
    // Boot errors are thrown to the caller (main.ts prints them and exits) instead of exiting here.
    abortOnError: false,
    ...(options.logger !== undefined && { logger: options.logger }),
  });
  app.enableShutdownHooks();
  serveApiReference(app, createOpenApiDocument(app));
  return app;
}
