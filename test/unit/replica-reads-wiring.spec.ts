import { CommandFactory } from 'nest-commander';
import { CliModule } from '../../src/cli/cli.module';
import { CliOutput } from '../../src/cli/cli-output';
import { ReplicaReads } from '../../src/common/replica-reads';
import { loadAppConfig } from '../../src/config/load-app-config';
import { PrimaryReads } from '../../src/database/replica-router';

/**
 * The operator CLI reads and writes the primary only, whatever DATABASE_REPLICA_URLS says
 * (docs/operations.md "Read replicas"): its commands act on what was just written. The server's
 * side is the replica suite's (test/e2e/read-replicas.e2e-spec.ts).
 */
describe('ReplicaReads in the operator CLI', () => {
  it('is the primary, even with replicas configured', async () => {
    const config = loadAppConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://charthero@primary.invalid/charthero',
      DATABASE_REPLICA_URLS: 'postgres://charthero@replica.invalid/charthero',
    });
    // Built as runCli builds it; the CLI opens its database only when a command needs it, so nothing here connects.
    const cli = await CommandFactory.createWithoutRunning(
      CliModule.forRoot(
        config,
        new CliOutput(
          () => undefined,
          () => undefined,
        ),
      ),
      { logger: false },
    );
    try {
      expect(cli.get(ReplicaReads, { strict: false })).toBeInstanceOf(PrimaryReads);
    } finally {
      await cli.close();
    }
  });
});
