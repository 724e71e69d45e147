import { Secret } from './secret';

export type DatabaseConfig =
  | { kind: 'postgres'; url: Secret; poolSize: number; statementTimeoutMs: number }
  | { kind: 'pglite'; dataDir: string };

/**
 * The whole runtime configuration, validated once at boot (`loadAppConfig`).
 * Injected by class token: `constructor(private readonly config: AppConfig)`.
 */
export abstract class AppConfig {
  abstract readonly production: boolean;
  abstract readonly port: number;
  abstract readonly database: DatabaseConfig;
  abstract readonly migrateOnStart: boolean;
  abstract readonly apiKeys: {
    readonly enabled: boolean;
    readonly allowTestKeys: boolean;
    /** `null` in production without `API_KEY_DIGEST_SECRET`: keyed requests get 503. */
    readonly digestSecret: Secret | null;
    /** True when the digest secret is the fixed development one (a warning is logged). */
    readonly usingDevelopmentSecret: boolean;
  };
}
