/**
 * How the production server starts (docs/operations.md "Starting and stopping"): every line it
 * writes is JSON, from the first to a failed start's last; a failure is one error line naming
 * its cause and a non-zero exit, with nothing said to be listening before it; unsafe switches,
 * omissions and pending migrations are warned of.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { MIGRATIONS } from '../../src/database/migrations';
import { spawnServer } from '../support/cli-process';
import { createCliScenario, type CliScenario } from '../support/cli-scenario';
import { deadline, pollUntil } from '../support/real-time';
import { freePort } from '../support/server-process';
import { itWith, serviceUrl } from '../support/services';

const PRODUCTION = {
  NODE_ENV: 'production',
  API_KEY_DIGEST_SECRET: 'startup-digest-secret-61c0',
  MEDIA_URL_SECRET: 'startup-media-secret-9e2a',
  WEBHOOK_SECRET_KEY: Buffer.from('startup-webhook-key-32-bytes-ok!').toString('base64'),
  MEDIA_BASE_URL: 'https://media.example.com',
};

interface LogLine {
  level: string;
  msg: string;
}

/** What a server process has written so far, standard output and error, read when called. */
function outputOf(child: ChildProcessWithoutNullStreams): () => string {
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return () => output;
}

/** Everything a server process wrote until it exited, each line parsed (a line that is not JSON fails the test). */
async function runToExit(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; lines: LogLine[] }> {
  const output = outputOf(child);
  const [code] = (await deadline(once(child, 'exit'), 30_000, 'the server to exit')) as [number | null];
  return { code, lines: parseLines(output()) };
}

/** The lines a server process wrote until it said it listens, parsed. */
async function linesUntilListening(child: ChildProcessWithoutNullStreams): Promise<LogLine[]> {
  const output = outputOf(child);
  await pollUntil(output, (text) => text.includes('listening on'), { timeoutMs: 30_000 });
  return parseLines(output());
}

function parseLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a line that is not JSON: ${line}`);
      }
    });
}

/** A failed start: exit code 1, and one error line, the last, that matches `cause` (warnings may come before it). */
function expectFailedStart({ code, lines }: { code: number | null; lines: LogLine[] }, cause: RegExp): void {
  expect(code).toBe(1);
  expect(lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([{ ...lines.at(-1), level: 'error', msg: expect.stringMatching(cause) }]);
  expect(lines.filter((line) => /listening|started/i.test(line.msg))).toEqual([]);
}

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer().listen(0);
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, server };
}

describe('the start of the production server', () => {
  let scenario: CliScenario;

  beforeAll(async () => {
    scenario = await createCliScenario();
  });
  afterAll(() => scenario.close());

  it('fails in one JSON error line naming METRICS_PORT and its port when another process holds it', async () => {
    const { port, server } = await occupiedPort();
    try {
      const started = await runToExit(await scenario.server({ ...PRODUCTION, PORT: String(await freePort()), METRICS_PORT: String(port) }));
      expectFailedStart(started, new RegExp(`^Cannot listen on METRICS_PORT ${port}: the port is already in use \\(EADDRINUSE\\)$`));
    } finally {
      server.close();
    }
  });

  it('fails in one JSON error line naming PORT and its port, with nothing logged as listening first', async () => {
    const { port, server } = await occupiedPort();
    try {
      const started = await runToExit(await scenario.server({ ...PRODUCTION, PORT: String(port), METRICS_PORT: String(await freePort()) }));
      expectFailedStart(started, new RegExp(`^Cannot listen on PORT ${port}: the port is already in use \\(EADDRINUSE\\)$`));
    } finally {
      server.close();
    }
  });

  it('fails in one JSON error line naming the address of a database that refuses connections', async () => {
    const port = await freePort();
    const started = await runToExit(await spawnServer({ ...PRODUCTION, DATABASE_URL: `postgres://charthero@127.0.0.1:${port}/charthero`, PORT: String(await freePort()) }));
    expectFailedStart(started, new RegExp(`^Cannot open PostgreSQL at 127\\.0\\.0\\.1:${port}, database charthero, role charthero: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  });

  it('fails in one JSON error line on bad configuration', async () => {
    const started = await runToExit(await spawnServer({ ...PRODUCTION, PORT: 'eighty' }));
    expectFailedStart(started, /^Configuration error: PORT must be an integer/);
  });

  itWith('postgres', 'fails in one JSON error line naming an unknown role, or an unknown database', async () => {
    const server = new URL(serviceUrl('postgres')!);
    const at = `${server.hostname}:${server.port || 5432}`;
    const withUrl = (role: string, database: string) => {
      const url = new URL(server);
      url.username = role;
      url.pathname = `/${database}`;
      return spawnServer({ ...PRODUCTION, DATABASE_URL: url.toString() });
    };
    expectFailedStart(
      await runToExit(await withUrl('no_such_role_startup', 'postgres')),
      new RegExp(`^Cannot open PostgreSQL at ${at}, .*role no_such_role_startup: role "no_such_role_startup" does not exist`),
    );
    expectFailedStart(
      await runToExit(await withUrl(server.username || 'postgres', 'no_such_database_startup')),
      /database no_such_database_startup, .*: database "no_such_database_startup" does not exist/,
    );
  });

  it('warns of WEBHOOK_ALLOW_PRIVATE_TARGETS, a missing MEDIA_BASE_URL, pending migrations by name and an owner role, and readiness says pending_migrations', async () => {
    const empty = await createCliScenario({ migrated: false });
    const port = await freePort();
    const withoutMediaBase: Record<string, string> = { ...PRODUCTION };
    delete withoutMediaBase.MEDIA_BASE_URL;
    const child = await empty.server({ ...withoutMediaBase, DB_MIGRATE_ON_START: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', PORT: String(port) });
    try {
      const lines = await linesUntilListening(child);
      const readiness = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect({ status: readiness.status, body: await readiness.json() }).toMatchObject({
        status: 503,
        body: { reason_code: 'service_unavailable', not_ready: 'pending_migrations' },
      });
      const warnings = lines.filter((line) => line.level === 'warn').map((line) => line.msg);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^Pending migrations: ${MIGRATIONS.map((migration) => `migration ${new migration().name}`).join(', ')}, routine encounter_list_page, `)),
          expect.stringMatching(/^WEBHOOK_ALLOW_PRIVATE_TARGETS=true in production/),
          expect.stringMatching(/^MEDIA_BASE_URL is not set/),
        ]),
      );
    } finally {
      child.kill('SIGKILL');
      await empty.close();
    }

    // Migrated and configured: the only warning left is the role's (PGlite's, or the test server's, is a superuser).
    const migrated = await scenario.server({ ...PRODUCTION, PORT: String(await freePort()) });
    try {
      expect((await linesUntilListening(migrated)).filter((line) => line.level === 'warn')).toEqual([
        expect.objectContaining({ msg: expect.stringMatching(/^The service runs as role \S+, which is a superuser: it could disable the audit's triggers/) }),
      ]);
    } finally {
      migrated.kill('SIGKILL');
    }
  });
});
