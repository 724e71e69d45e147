import 'reflect-metadata';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { AppModule } from './app.module';
import { ConfigError, loadAppConfig } from './config/load-app-config';
import { FixtureLoader } from './fixtures/fixture-loader.service';
import { FixturesModule } from './fixtures/fixtures.module';
import { createHttpApp } from './http-app';
import { nestLoggerOf } from './logging/nest-logger';
import { createRootLogger } from './logging/root-logger';

/** Committed demo scenario: three organizations, keys of every kind, notes, transcripts and a recording. */
const DEMO_FIXTURE = join(__dirname, '..', 'fixtures', 'demo.json');
const DEMO_TOKEN = 'ch_sk_demo_riverside_full_access';
const DEMO_TOKEN_WITHOUT_PATIENTS_SCOPE = 'ch_sk_demo_riverside_documents_only';
/** The demo transcript that has a recording (fixtures/recordings/enc_demo_003.wav). */
const DEMO_AUDIO_PATH = '/external/v1/encounters/enc_demo_003/documents/doc_demo_003_t/audio';

@Module({})
class DemoModule {}

/**
 * `npm start`: serves the API on the embedded database, reset to the demo data set at every
 * start so the printed key and `curl` line always work.
 */
async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  if (config.database.kind !== 'pglite') {
    throw new ConfigError('npm start resets the database to demo data, so it only runs on the embedded one: unset DATABASE_URL, or use `npm run start:prod`.');
  }
  // The production app, plus the fixture loader that resets its database to the demo data.
  const root = createRootLogger(config.logging);
  const app = await createHttpApp({ module: DemoModule, imports: [AppModule.forRoot(config, root), FixturesModule] }, nestLoggerOf(root));
  await app.get(FixtureLoader).loadFile(DEMO_FIXTURE, { reset: true });
  await app.listen(config.port);

  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://localhost:${port}`;
  console.log(`
ChartHero External API (demo data, embedded database in ${config.database.dataDir}) is listening on ${base}

Demo API key (Riverside Family Clinic, every read scope): ${DEMO_TOKEN}
Try it:

  curl -H "Authorization: Bearer ${DEMO_TOKEN}" "${base}/external/v1/encounters?limit=5"

The same list with a key that lacks patients:read answers 403 missing_scope:

  curl -H "Authorization: Bearer ${DEMO_TOKEN_WITHOUT_PATIENTS_SCOPE}" "${base}/external/v1/encounters"

A short-lived URL to a visit's recording (it expires in ${config.recordings.audioUrlTtlSeconds} s), then the recording itself, fetched with that URL and no key:

  curl -H "Authorization: Bearer ${DEMO_TOKEN}" "${base}${DEMO_AUDIO_PATH}"
  curl -o visit.wav "$(curl -s -H "Authorization: Bearer ${DEMO_TOKEN}" "${base}${DEMO_AUDIO_PATH}" | sed -E 's/.*"audio_url":"([^"]+)".*/\\1/')"

More demo keys and encounters: fixtures/demo.json. Stop with Ctrl-C.
`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
