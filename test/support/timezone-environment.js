/**
 * Jest environment that runs one test file with the process in a given time zone:
 *
 *   @jest-environment ./test/support/timezone-environment.js
 *   @jest-environment-options {"timezone": "America/Los_Angeles"}
 *
 * A test file only sees a copy of `process.env`, so setting TZ there changes nothing; an
 * environment runs in the worker process itself, where Node honours a change of TZ.
 */
const { TestEnvironment } = require('jest-environment-node');

class TimezoneEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.timezone = config.projectConfig.testEnvironmentOptions.timezone;
    if (typeof this.timezone !== 'string') throw new Error(`${context.testPath}: set @jest-environment-options {"timezone": "…"}`);
  }

  async setup() {
    // Workers are reused across files: put the worker's own time zone back afterwards.
    this.previousTimezone = process.env.TZ;
    process.env.TZ = this.timezone;
    await super.setup();
  }

  async teardown() {
    if (this.previousTimezone === undefined) delete process.env.TZ;
    else process.env.TZ = this.previousTimezone;
    await super.teardown();
  }
}

module.exports = TimezoneEnvironment;
