import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { loadAppConfig } from './load-app-config';

@Global()
@Module({})
export class ConfigModule {
  /** `config` defaults to the process environment; tests pass their own. */
  static forRoot(config: AppConfig = loadAppConfig(process.env)): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
