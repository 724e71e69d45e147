/**
 * A Jest reporter (jest.config.js) for the tests that need a service (test/support/services.ts):
 * after the run, one line per unset variable names the files whose tests were skipped for it
 * and how to run them. With TEST_SERVICES_REQUIRED (a comma-separated list of variables, set
 * by .ci/run), the run fails when a test needing one of those was skipped, or when any test was
 * skipped for no such reason.
 */
const { relative } = require('node:path');

/** How each variable is set on a machine with the services at their usual addresses. */
const EXAMPLES = {
  TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  TEST_REDIS_URL: 'redis://127.0.0.1:6379',
  TEST_POSTGRES_BIN: '/usr/lib/postgresql/15/bin',
};
const NEEDS = /\(needs (TEST_[A-Z_]+)\)/;

class ServiceSuitesReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.error = undefined;
  }

  onRunComplete(_contexts, results) {
    const skippedFor = new Map();
    const unexplained = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status !== 'pending' && test.status !== 'skipped' && test.status !== 'todo') continue;
        const variable = NEEDS.exec([...test.ancestorTitles, test.title].join(' '))?.[1];
        const where = relative(this.rootDir, file.testFilePath);
        if (variable === undefined || process.env[variable]) unexplained.push(`${where}: ${test.fullName}`);
        else skippedFor.set(variable, [...(skippedFor.get(variable) ?? []), where]);
      }
    }
    for (const [variable, files] of skippedFor) {
      const unique = [...new Set(files)];
      process.stderr.write(
        `Skipped ${files.length} test(s) that need ${variable} (not set), in ${unique.join(', ')}: run them with ${variable}=${EXAMPLES[variable] ?? '…'} npm test\n`,
      );
    }

    const required = (process.env.TEST_SERVICES_REQUIRED ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (required.length === 0) return;
    const problems = [
      ...required.filter((variable) => skippedFor.has(variable)).map((variable) => `${skippedFor.get(variable).length} test(s) needing ${variable} were skipped`),
      ...unexplained.map((test) => `skipped with no service to explain it: ${test}`),
    ];
    if (problems.length > 0) this.error = new Error(`TEST_SERVICES_REQUIRED=${required.join(',')}: ${problems.join('; ')}`);
  }

  getLastError() {
    return this.error;
  }
}

module.exports = ServiceSuitesReporter;
