/**
 * Tests that need a service beyond the embedded database run when their variable says where
 * it is, and are skipped otherwise: `npm test` passes on a machine with nothing running, and
 * the summary names what was skipped and how to run it (test/support/service-suites-reporter.js).
 * `.ci/run` sets every variable and fails if a test that needs one was skipped.
 */
export const SERVICE_VARIABLES = {
  /** A PostgreSQL server: every suite then runs on a database of its own there instead of PGlite. */
  postgres: 'TEST_DATABASE_URL',
  /** A Redis server: the rate limits' shared counters. */
  redis: 'TEST_REDIS_URL',
  /**
   * PostgreSQL's server binaries (`initdb`, `pg_ctl`, `pg_basebackup`; on Debian
   * `/usr/lib/postgresql/<version>/bin`): the replica suites make a primary and a streaming
   * standby of their own with them (test/support/replica-cluster.ts), run as the `postgres` user.
   */
  postgresBinaries: 'TEST_POSTGRES_BIN',
} as const;

export type Service = keyof typeof SERVICE_VARIABLES;

/** The service's URL (or directory) from its variable, or null when it is not set. */
export function serviceUrl(service: Service): string | null {
  return process.env[SERVICE_VARIABLES[service]] || null;
}

/** The name a gated block carries, which the reporter reads: `… (needs TEST_REDIS_URL)`. */
function gated(service: Service, name: string): string {
  return `${name} (needs ${SERVICE_VARIABLES[service]})`;
}

/** `describe` for tests that need `service`: skipped, and named so, when its variable is unset. */
export function describeWith(service: Service, name: string, tests: () => void): void {
  (serviceUrl(service) ? describe : describe.skip)(gated(service, name), tests);
}

/** `it` for a test that needs `service`: skipped, and named so, when its variable is unset. */
export function itWith(service: Service, name: string, test: () => Promise<void>, timeoutMs?: number): void {
  (serviceUrl(service) ? it : it.skip)(gated(service, name), test, timeoutMs);
}
