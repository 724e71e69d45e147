/**
 * The browser suite (`npm run test:browser`): the API reference page in a real Chromium. It
 * needs Debian's chromium at /usr/bin/chromium, so it is not part of `npm test`.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
};
