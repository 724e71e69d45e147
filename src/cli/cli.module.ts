import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ClockModule } from '../common/clock.module';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { EncountersModule } from '../encounters/encounters.module';
import { FixturesModule } from '../fixtures/fixtures.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PartnerModule } from '../partner/partner.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { AuditCommandGroup, AuditListCommand, AuditPatientCommand } from './audit.command';
import { CliDatabase } from './cli-database';
import { CliOutput } from './cli-output';
import { CommandsReturnTheirExitCode } from './commands-return-their-exit-code';
import { DbCommand, DbGrantCommand, DbMigrateCommand, DbRecountCommand } from './db.command';
import { FixturesCommand, FixturesLoadCommand } from './fixtures.command';
import { KeysDisableCommand, KeysEnableCommand, KeysRevokeCommand } from './key-status.command';
import { KeysCommand, KeysCreateCommand, KeysListCommand } from './keys.command';
import { OrgsCommand, OrgsCreateCommand } from './orgs.command';
import { PartnersAllowCommand, PartnersCommand, PartnersDenyCommand } from './partners.command';
import { RecordingsCommand, RecordingsPutCommand } from './recordings.command';
import { TranscriptsCommand, TranscriptsPutCommand } from './transcripts.command';
import { WebhooksDeliveriesCommand, WebhooksDispatchCommand, WebhooksRedeliverCommand, WebhooksReplayCommand } from './webhook-deliveries.command';
import {
  WebhooksCommand,
  WebhooksCreateCommand,
  WebhooksDeleteCommand,
  WebhooksDisableCommand,
  WebhooksEnableCommand,
  WebhooksListCommand,
  WebhooksRekeyCommand,
  WebhooksRotateSecretCommand,
} from './webhooks.command';

/**
 * The operator CLI: the server's modules and database configuration, never an implicit
 * migration, and no dispatcher unless `webhooks dispatch` starts one. Commands print through
 * `output`, and open the database themselves once their arguments are checked (CliDatabase).
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, output: CliOutput): DynamicModule {
    return {
      module: CliModule,
      imports: [
        // No request is served: no Redis connection for request budgets either.
        ConfigModule.forRoot({
          ...config,
          migrateOnStart: false,
          metricsPort: null,
          webhooks: { ...config.webhooks, dispatch: false },
          rateLimits: { ...config.rateLimits, redisUrl: null },
        }),
        ClockModule,
        // Counted, never served: the CLI has no metrics listener (METRICS_PORT is ignored).
        MetricsModule,
        DatabaseModule.forRoot({ openOnStart: false, replicaReads: false }),
        OrganizationsModule,
        AuthModule,
        AuditModule,
        PartnerModule,
        EncountersModule,
        RecordingsModule,
        WebhooksModule,
        FixturesModule,
      ],
      providers: [
        { provide: CliOutput, useValue: output },
        CliDatabase,
        CommandsReturnTheirExitCode,
        DbCommand,
        DbMigrateCommand,
        DbRecountCommand,
        DbGrantCommand,
        FixturesCommand,
        FixturesLoadCommand,
        OrgsCommand,
        OrgsCreateCommand,
        PartnersCommand,
        PartnersAllowCommand,
        PartnersDenyCommand,
        KeysCommand,
        KeysCreateCommand,
        KeysListCommand,
        KeysRevokeCommand,
        KeysDisableCommand,
        KeysEnableCommand,
        RecordingsCommand,
        RecordingsPutCommand,
        TranscriptsCommand,
        TranscriptsPutCommand,
        WebhooksCommand,
        WebhooksCreateCommand,
        WebhooksListCommand,
        WebhooksDisableCommand,
        WebhooksEnableCommand,
        WebhooksDeleteCommand,
        WebhooksRotateSecretCommand,
        WebhooksRekeyCommand,
        WebhooksDeliveriesCommand,
        WebhooksRedeliverCommand,
        WebhooksReplayCommand,
        WebhooksDispatchCommand,
        AuditCommandGroup,
        AuditListCommand,
        AuditPatientCommand,
      ],
    };
  }
}
