/**
 * NestJS 12 ships ES modules. Node 20 loads them from CommonJS (require(esm)), but Jest's
 * module loader cannot before Node 24.9, so for tests they are transpiled to CommonJS too
 * (test/support/esm-to-cjs.transformer.js).
 */
const ESM_PACKAGES = ['@nestjs', 'uid', 'file-type', 'strtok3', 'token-types', '@tokenizer', 'uint8array-extras', '@borewit'];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // Type-checking is `npm run typecheck`'s job; tests only transpile, which keeps them fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }],
    '/node_modules/.+\\.js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  // Each e2e file boots its own app and database. Three at a time on a 2-core machine: a worker
  // often waits (on PostgreSQL, a child process, a real timeout). Measured against two: the
  // PGlite pass 264 -> 241 s, the PostgreSQL pass 140 -> 93 s; four gained nothing more.
  maxWorkers: 3,
  testTimeout: 60_000,
  // The default output, and a line for each service whose tests were skipped (test/support/services.ts).
  reporters: ['default', '<rootDir>/test/support/service-suites-reporter.js'],
};
