import type { LoggerService, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { Clock } from '../../src/common/clock';
import { loadAppConfig } from '../../src/config/load-app-config';
import { FixtureLoader } from '../../src/fixtures/fixture-loader.service';
import { FixturesModule } from '../../src/fixtures/fixtures.module';
import { configureHttpApp, createExpressAdapter, httpAppOptions } from '../../src/http-app';
import { assertMatchesOpenApi } from './openapi-conformance';
import { TestClock } from './test-clock';
import { createTestDatabase, onTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  /** supertest against the app's HTTP server; every response is checked against openapi.json. */
  http(): ReturnType<typeof request>;
  /** Loads a fixture into this app's database (docs/operations.md format). */
  load(fixture: object): Promise<void>;
  dataSource: DataSource;
  /** Where the local store keeps this app's recordings: a fresh directory, unless `env` names one. */
  recordingsDir: string;
  /** The app's time: move it instead of waiting (docs/development.md "Time in tests"). */
  clock: TestClock;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** The whole environment the app sees besides the database (the developer's own is ignored). */
  env?: Record<string, string>;
  logger?: LoggerService;
  /** Defaults to a fresh one; dropped by `close()`. */
  database?: TestDatabase;
  /** Modules a test adds beside the app's (a route of its own). */
  modules?: Type[];
  /** Defaults to a fresh one; two apps standing for instances of the service share one. */
  clock?: TestClock;
}

/**
 * Boots the production `AppModule` through `Test.createTestingModule`, on a fresh database and
 * the same Express adapter and setup as `main.ts`, plus the fixture loader to seed it.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const ownRecordingsDir = options.env?.RECORDINGS_DIR === undefined ? await mkdtemp(join(tmpdir(), 'charthero-recordings-')) : null;
  const recordingsDir = options.env?.RECORDINGS_DIR ?? ownRecordingsDir!;
  // No dispatcher unless a test asks for one (WEBHOOK_DISPATCH): others' deliveries stay put.
  // No log lines and no metrics listener either: the suites that check those ask for them.
  const quiet = { WEBHOOK_DISPATCH: 'false', LOG_LEVEL: 'silent', METRICS_PORT: '0' };
  const config = onTestDatabase(loadAppConfig({ NODE_ENV: 'test', ...quiet, RECORDINGS_DIR: recordingsDir, ...options.env, ...database.env }), database);
  const clock = options.clock ?? new TestClock();
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config), FixturesModule, ...(options.modules ?? [])] })
    .overrideProvider(Clock)
    .useValue(clock);
  if (options.logger) builder = builder.setLogger(options.logger);
  const moduleRef = await builder.compile();
  const app = configureHttpApp(moduleRef.createNestApplication<NestExpressApplication>(createExpressAdapter(), httpAppOptions(options.logger ?? false)));
  await app.init();
  return {
    app,
    http: () => checkedAgainstOpenApi(request(app.getHttpServer())),
    load: async (fixture) => {
      await app.get(FixtureLoader).load(fixture);
    },
    dataSource: app.get(DataSource),
    recordingsDir,
    clock,
    close: async () => {
      await app.close();
      await database.drop();
      if (ownRecordingsDir) await rm(ownRecordingsDir, { recursive: true, force: true });
    },
  };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** The same supertest agent, with an OpenAPI conformance check on each request it starts. */
function checkedAgainstOpenApi(agent: ReturnType<typeof request>): ReturnType<typeof request> {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !HTTP_METHODS.has(property) || typeof value !== 'function') return value;
      return (url: string) => (value as (url: string) => request.Test).call(target, url).expect((response) => assertMatchesOpenApi(property, url, response));
    },
  });
}
