/**
 * The API reference page (/docs) as a person sees it: Debian's Chromium, driven by
 * playwright-core, against the real app over loopback. Run with `npm run test:browser`.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { COMMITTED_OPENAPI_FILE } from '../../src/openapi/openapi-document';
import { startTestApp, TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
/** What this machine's closed network needs: no background calls to Google's hosts (node-svc.md). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = join(__dirname, '..', '..', 'test-artifacts', 'api-reference.png');

type PathItem = Record<string, { parameters?: Array<{ name: string; in: string }> }>;
interface OpenApiDocument {
  paths: Record<string, PathItem>;
  webhooks: Record<string, PathItem>;
}
const DOCUMENT = JSON.parse(readFileSync(COMMITTED_OPENAPI_FILE, 'utf8')) as OpenApiDocument;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/**
 * Every operation of openapi.json, e.g. "GET /external/v1/encounters/{encounter_id}", and every
 * webhook, which Swagger UI shows by its name ("POST recording.transcript_ready").
 */
const OPERATIONS = [...Object.entries(DOCUMENT.paths), ...Object.entries(DOCUMENT.webhooks)]
  .flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  )
  .sort();

/** Swagger UI puts zero-width spaces after each `/` of a path so that it can wrap. */
const visibleText = (text: string) =>
  text
    .replace(/[\u200b\u00ad]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

describe('the API reference page (/docs)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  /** Where the browser reports what the Content-Security-Policy blocked. */
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const response = await page.goto(`${origin}/docs`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor({ state: 'visible', timeout: 30_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('has the title and the description of openapi.json', async () => {
    await expect(page.title()).resolves.toBe('ChartHero External API reference');
    expect(visibleText(await page.locator('.info .title').innerText())).toContain('ChartHero External API');
  });

  it('shows every operation of openapi.json, and no other', async () => {
    expect(OPERATIONS).toContain('GET /external/v1/encounters/{encounter_id}');
    const blocks = page.locator('.opblock');
    const shown: string[] = [];
    for (let i = 0; i < (await blocks.count()); i++) {
      const block = blocks.nth(i);
      const method = visibleText(await block.locator('.opblock-summary-method').innerText());
      const path = visibleText(await block.locator('.opblock-summary-path').innerText());
      expect(await block.locator('.opblock-summary-path').isVisible()).toBe(true);
      shown.push(`${method} ${path}`);
    }
    expect(shown.sort()).toEqual(OPERATIONS);
  });

  it('shows the list route with each of its query parameters when opened', async () => {
    const list = page.locator('.opblock.opblock-get').filter({ has: page.locator('.opblock-summary-path[data-path="/external/v1/encounters"]') });
    await list.locator('.opblock-summary').click();
    const parameters = list.locator('.parameters .parameter__name');
    await parameters.first().waitFor({ state: 'visible' });
    const names = (await parameters.allInnerTexts()).map(
      (name) =>
        visibleText(name)
          .replace(/\s*\*?\s*$/, '')
          .split(' ')[0],
    );
    const documented = (DOCUMENT.paths['/external/v1/encounters'].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(documented).toEqual(expect.arrayContaining(['limit', 'offset', 'sort_order', 'start_at', 'end_at']));
    expect(names.sort()).toEqual([...documented].sort());
    // Closed again, so that the screenshot shows the whole list of operations.
    await list.locator('.opblock-summary').click();
    await parameters.first().waitFor({ state: 'detached' });
  });

  it('made no request anywhere but this service on 127.0.0.1, and raised no script error or CSP violation', () => {
    expect(requested.length).toBeGreaterThan(1);
    const elsewhere = requested.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
    expect(elsewhere).toEqual([]);
    // Swagger UI's own assets, not a CDN's.
    expect(requested).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${origin}/docs/swagger-ui-bundle\\.js$`))]));
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('may not be framed, and runs under a Content-Security-Policy', async () => {
    const response = await fetch(`${origin}/docs`);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('renders for a person (screenshot in test-artifacts/api-reference.png)', async () => {
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // A real page, not a blank one: a PNG of the full reference is well over a few kilobytes.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });
});
