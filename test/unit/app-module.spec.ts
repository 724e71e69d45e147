import { Test, type TestingModule } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import type { AppConfig } from '../../src/config/app-config';
import { loadAppConfig } from '../../src/config/load-app-config';
import { FixtureLoader } from '../../src/fixtures/fixture-loader.service';
import { FixturesModule } from '../../src/fixtures/fixtures.module';
import { createTestDatabase, onTestDatabase, type TestDatabase } from '../support/test-database';

/** The production application must hold nothing that can empty or seed a table. */
describe('the production AppModule', () => {
  let moduleRef: TestingModule | undefined;
  let database: TestDatabase;
  let CONFIG: AppConfig;
  beforeEach(async () => {
    database = await createTestDatabase();
    CONFIG = onTestDatabase(loadAppConfig({ NODE_ENV: 'test', DB_MIGRATE_ON_START: 'false', ...database.env }), database);
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    await database.drop();
  });

  it('has no fixture loader: only the CLI, the demo and the tests add FixturesModule', async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(CONFIG)] }).compile();
    expect(() => moduleRef!.get(FixtureLoader, { strict: false })).toThrow(/FixtureLoader/);
  });

  it('gets one when FixturesModule is added, as the demo and the tests do', async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(CONFIG), FixturesModule] }).compile();
    expect(moduleRef.get(FixtureLoader, { strict: false })).toBeInstanceOf(FixtureLoader);
  });
});
