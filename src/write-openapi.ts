import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { AppModule } from './app.module';
import { loadAppConfig } from './config/load-app-config';
import { PGLITE_IN_MEMORY } from './database/data-source-options';
import { createHttpApp } from './http-app';
import { COMMITTED_OPENAPI_FILE, createOpenApiDocument, serializeOpenApi } from './openapi/openapi-document';

/** `npm run openapi`: regenerates the committed openapi.json from the code. */
async function main(): Promise<void> {
  // The description needs the app's modules, not data: a throwaway in-memory database will do.
  const config = loadAppConfig({ PGLITE_DATA_DIR: PGLITE_IN_MEMORY, DB_MIGRATE_ON_START: 'false' });
  const app = await createHttpApp(AppModule.forRoot(config), false);
  try {
    await writeFile(COMMITTED_OPENAPI_FILE, serializeOpenApi(createOpenApiDocument(app)));
    console.log(`Wrote ${COMMITTED_OPENAPI_FILE}`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
