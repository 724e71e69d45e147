import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_VARIABLES } from '../support/services';
import { REPOSITORY_ROOT as ROOT, sourceFilesUnder } from '../support/source-files';

const REAL_TIME = 'test/support/real-time.ts';

/** Every line of the tests, with its file and number. */
const LINES = sourceFilesUnder('test').flatMap((file) =>
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .map((text, index) => ({ file, line: index + 1, text })),
);

/** The rules of docs/development.md "Tests", held against the tests themselves. */
describe('the tests', () => {
  it(`wait on real timers only through ${REAL_TIME}`, () => {
    const timers = LINES.filter(({ file, text }) => file !== REAL_TIME && /\bsetTimeout\(|\bsetInterval\(/.test(text));
    expect(timers.map(({ file, line }) => `${file}:${line}`)).toEqual([]);
  });

  it('say why at every real sleep: a comment in the lines above it', () => {
    const sleeps = LINES.filter(({ file, text }) => file !== REAL_TIME && /\bsleep\(/.test(text) && !/^\s*(\/\/|\*)/.test(text));
    const unexplained = sleeps.filter(({ file, line }) => {
      const above = LINES.filter((other) => other.file === file && other.line < line && other.line >= line - 3);
      return !above.some(({ text }) => /^\s*(\/\/|\/\*|\*)/.test(text));
    });
    expect(unexplained.map(({ file, line }) => `${file}:${line}`)).toEqual([]);
  });

  it.each(Object.values(SERVICE_VARIABLES))('name %s alike in the docs, the reporter and CI, which requires it', (variable) => {
    const development = readFileSync(join(ROOT, 'docs/development.md'), 'utf8');
    expect(development).toMatch(new RegExp(`^\\| [^|]+ \\| \`${variable}\` \\|`, 'm'));
    expect(readFileSync(join(ROOT, 'test/support/service-suites-reporter.js'), 'utf8')).toMatch(new RegExp(`^\\s+${variable}: '`, 'm'));
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const required = [...ci.matchAll(/TEST_SERVICES_REQUIRED=([A-Z_,]+)/g)].map(([, list]) => list.split(','));
    expect(required.length).toBe(2);
    // The PostgreSQL pass requires every service; the PGlite pass those its suites use besides the
    // embedded database (the replica suites make their own PostgreSQL, and run once, in the PostgreSQL pass).
    expect(required.flat()).toContain(variable);
  });
});
