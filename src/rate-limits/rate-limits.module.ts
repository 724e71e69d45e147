import { Module } from '@nestjs/common';
import { RateLimits } from './rate-limits';

/** Request budgets and their counters (in process, or shared through Redis); the guards that spend them are AuthModule's. */
@Module({
  providers: [RateLimits],
  exports: [RateLimits],
})
export class RateLimitsModule {}
