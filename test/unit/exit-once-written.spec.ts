import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRootLogger, exitOnceWritten } from '../../src/logging/root-logger';

describe('exitOnceWritten', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'charthero-exit-'));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits only once every line logged before is written, in order (a failed start’s error line last)', async () => {
    const file = join(dir, 'out.log');
    const root = createRootLogger({ level: 'info', format: 'json' }, pino.destination({ dest: file, sync: false }));
    const exited = new Promise<number>((resolve) => {
      jest.spyOn(process, 'exit').mockImplementation(((code: number) => {
        resolve(code);
        return undefined as never;
      }) as typeof process.exit);
    });

    // A burst of lines, then the last one, as a start that fails logs its warnings and its error.
    for (let line = 0; line < 200; line++) root.warn({ line }, 'a warning logged while the start went on');
    root.error('Cannot listen on PORT 3000: the port is already in use (EADDRINUSE)');
    exitOnceWritten(root, 1);

    expect(await exited).toBe(1);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { level: string; line?: number });
    expect(lines).toHaveLength(201);
    expect(lines.slice(0, 200).map((line) => line.line)).toEqual([...Array(200).keys()]);
    expect(lines.at(-1)?.level).toBe('error');
  });
});
