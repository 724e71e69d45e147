import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

/** Provides the `Clock` to every module; tests override the provider with one they move. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock],
})
export class ClockModule {}
