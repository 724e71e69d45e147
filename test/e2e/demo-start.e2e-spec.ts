import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../support/real-time';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm start` (src/demo.ts) serves demo data and prints a curl line that must work exactly
 * as printed: this runs the demo entry, copies the line from its output and runs it in a shell.
 */
describe('the npm start demo', () => {
  let demo: ChildProcess;
  let output = '';
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'charthero-demo-'));
    demo = spawn(process.execPath, ['--require', 'ts-node/register/transpile-only', join(ROOT, 'src', 'demo.ts')], {
      cwd: ROOT,
      // Nothing configured but free ports and a throwaway data directory.
      env: { PATH: process.env.PATH ?? '', PORT: '0', METRICS_PORT: '0', PGLITE_DATA_DIR: dataDir, RECORDINGS_DIR: join(dataDir, 'recordings') },
    });
    demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil(
      () => output,
      (printed) => /Stop with Ctrl-C/.test(printed),
      { timeoutMs: 45_000 },
    );
  });
  afterAll(async () => {
    demo.kill('SIGTERM');
    await new Promise((resolve) => demo.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  const printedCurlLines = () =>
    output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('curl '));

  it('prints the URL, a demo key and a curl line', () => {
    expect(output).toMatch(/listening on http:\/\/localhost:\d+/);
    expect(output).toMatch(/Demo API key .*: ch_sk_demo_\w+/);
    expect(printedCurlLines().length).toBeGreaterThanOrEqual(1);
  });

  it('the first curl line answers 200 with demo encounters, as printed', async () => {
    const body = JSON.parse(await shell(`${printedCurlLines()[0]} --silent --fail`));
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items[0].organization_id).toBe('org_demo_riverside');
    expect(body.total).toBeGreaterThanOrEqual(body.items.length);
  });

  it('answers on every interface of the machine, IPv4 and IPv6, not only on loopback', async () => {
    const port = /listening on http:\/\/localhost:(\d+)/.exec(output)![1];
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.address.startsWith('fe80:'))
      .map((address) => (address!.family === 'IPv6' ? `[${address!.address}]` : address!.address));
    expect(addresses).toEqual(expect.arrayContaining(['127.0.0.1', '[::1]']));
    for (const address of addresses) {
      expect({ address, status: (await fetch(`http://${address}:${port}/health`)).status }).toEqual({ address, status: 200 });
    }
  });

  it("answers every curl line of the README as printed (but for the demo's port), with 200 and JSON", async () => {
    const port = /listening on http:\/\/localhost:(\d+)/.exec(output)![1];
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    // A command, with its backslash-continued lines joined.
    const commands = [...readme.replace(/\\\n\s*/g, ' ').matchAll(/^curl .*$/gm)].map(([line]) => line);
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) {
      const body = await shell(`${command.replaceAll('http://localhost:3000', `http://localhost:${port}`)} --silent --fail`);
      expect({ command, body: JSON.parse(body) as unknown }).toEqual({ command, body: expect.any(Object) });
    }
  });

  it('the second curl line shows missing_scope, as the output says', async () => {
    const body = JSON.parse(await shell(`${printedCurlLines()[1]} --silent`));
    expect(body).toMatchObject({ reason_code: 'missing_scope', missing_scopes: ['patients:read'] });
  });

  it('the third curl line answers an audio URL and its expiry', async () => {
    const body = JSON.parse(await shell(`${printedCurlLines()[2]} --silent --fail`));
    expect(body).toEqual({ audio_url: expect.stringMatching(/^http:\/\/localhost:\d+\/media\/v1\/recordings\/rec_/), expires_at: expect.any(String) });
  });

  it('the fourth curl line downloads the demo recording, as printed', async () => {
    const line = printedCurlLines()[3];
    expect(line).toMatch(/^curl -o visit\.wav /);
    const workDir = await mkdtemp(join(tmpdir(), 'charthero-demo-audio-'));
    try {
      await shell(`cd ${workDir} && ${line}`);
      const downloaded = await readFile(join(workDir, 'visit.wav'));
      expect(downloaded.equals(await readFile(join(ROOT, 'fixtures', 'recordings', 'enc_demo_003.wav')))).toBe(true);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});

function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) => execFile('sh', ['-c', command], (error, stdout, stderr) => (error ? reject(new Error(`${command}: ${stderr}`)) : resolve(stdout))));
}
