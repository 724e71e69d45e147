import type { DynamicModule, LoggerService, NestApplicationOptions } from '@nestjs/common';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { JsonExpressAdapter } from './common/json-express-adapter';
import { answerClientError } from './common/client-error';
import { AppConfig } from './config/app-config';
import { refuseDotSegments } from './common/dot-segments.middleware';
import { responseHeaders } from './common/response-headers.middleware';
import { DrainingState } from './health/draining-state';
import { RequestObserver } from './observability/request-observer';
import { PhiDisclosureGate } from './partner/phi-disclosure-gate';
import { createOpenApiDocument, serveApiReference } from './openapi/openapi-document';
import { disableAllocationSitePretenuring } from './v8-pretenuring';

/**
 * The Express instance Nest serves on, with the contract's routing rules. Express builds its
 * router on first use with the settings of that moment, so they are set before Nest (or
 * anything else) registers a route.
 */
export function createExpressAdapter(): JsonExpressAdapter {
  const server = express();
  // `/External/V1/Encounters` is not a route of the contract, nor is `/external/v1/encounters/`.
  server.set('case sensitive routing', true);
  server.set('strict routing', true);
  server.disable('x-powered-by');
  // Partner responses are never stored (Cache-Control: no-store): a validator would be moot.
  server.set('etag', false);
  // Before anything else, so that every response has its headers, even one Express refuses to
  // route (a path that is not valid percent-encoding).
  server.use(responseHeaders);
  return new JsonExpressAdapter(server);
}

/** How Nest creates the HTTP application, wherever it is created (server, demo, tests). */
export function httpAppOptions(logger: LoggerService | false): NestApplicationOptions {
  return {
    // Every route is a GET: no body is ever read, so none is parsed.
    bodyParser: false,
    // Boot errors are thrown to the caller (main.ts logs why, and exits) instead of exiting here.
    abortOnError: false,
    logger,
  };
}

/**
 * Bounds on what a client may hold: the request line and headers within 10 s, the whole request
 * within 30 s (no route reads a body), enforced within a second (JsonExpressAdapter); a header
 * block over Node's 16 KiB is refused. What Node's parser refuses is answered with the public
 * error body (`answerClientError`), not a bare status line.
 *
 * An idle keep-alive connection is kept 65 s, longer than load balancers keep theirs (60 s is
 * the common default): the side that closes an idle connection races the other side's next
 * request on it, which then fails (ECONNRESET, a 502 at a load balancer). With Node's 5 s the
 * soak saw one such reset in 15,000 requests.
 */
function limitSlowClients(server: Server): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
}

/** What the application needs besides its modules: shutdown hooks, the disclosure gate, per-request observation and the API reference. */
export function configureHttpApp(app: NestExpressApplication): NestExpressApplication {
  // Whose address `request.ip` is: the audit's client address, the failed-authentication budget's key.
  app.set('trust proxy', app.get(AppConfig).trustProxy);
  // On a signal: the shutdown hooks (drain, settle, close the pool), then exit 0.
  app.enableShutdownHooks([], { useProcessExit: true });
  limitSlowClients(app.getHttpServer());
  // While draining, every response closes its connection: clients reconnect elsewhere.
  const draining = app.get(DrainingState);
  const closeWhileDraining = (_request: Request, response: Response, next: NextFunction) => {
    if (draining.active) response.setHeader('Connection', 'close');
    next();
  };
  // A partner handler's body is written once its disclosure is audited.
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof JsonExpressAdapter)) throw new Error('The HTTP application must be created on createExpressAdapter(): it is what writes audited bodies.');
  adapter.useReplyGate(app.get(PhiDisclosureGate));
  // Ahead of every route, so that each request is logged and counted, refused ones included.
  app.use(app.get(RequestObserver).middleware, closeWhileDraining, refuseDotSegments);
  serveApiReference(app, createOpenApiDocument(app));
  return app;
}

/**
 * The HTTP application as served by `main.ts` and `demo.ts`; the e2e tests build the same one
 * through `Test.createTestingModule` (test/support/test-app.ts), so what is tested is what runs.
 */
export async function createHttpApp(rootModule: DynamicModule, logger: LoggerService | false): Promise<NestExpressApplication> {
  // A process that serves; not the tests' Jest workers, whose objects live longer than a request's.
  disableAllocationSitePretenuring();
  const app = await NestFactory.create<NestExpressApplication>(rootModule, createExpressAdapter(), httpAppOptions(logger));
  return configureHttpApp(app);
}
