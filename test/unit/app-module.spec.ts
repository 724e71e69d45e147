import { Test, type TestingModule } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { loadAppConfig } from '../../src/config/load-app-config';
import { PGLITE_IN_MEMORY } from '../../src/database/data-source-options';
import { FixtureLoader } from '../../src/fixtures/fixture-loader.service';
import { FixturesModule } from '../../src/fixtures/fixtures.module';

const CONFIG = loadAppConfig({ NODE_ENV: 'test', PGLITE_DATA_DIR: PGLITE_IN_MEMORY, DB_MIGRATE_ON_START: 'false' });

/** The production application must hold nothing that can empty or seed a table. */
describe('the production AppModule', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
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
