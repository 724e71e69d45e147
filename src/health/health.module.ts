import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseReadiness } from './database-readiness';
import { DrainingState } from './draining-state';
import { HealthController } from './health.controller';

/** `/health/live`, `/health/ready` and `/health` (docs/operations.md "Health"). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DatabaseReadiness, DrainingState],
  // For main.ts, which starts draining on SIGTERM.
  exports: [DrainingState],
})
export class HealthModule {}
