import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertFetchMatchesOpenApi } from './openapi-conformance';

/** Files to store as recordings, in a directory of their own. */
export interface RecordingFiles {
  dir: string;
  /** Writes `size` random bytes (no two files alike) as `name`; returns its path and bytes. */
  write(name: string, size: number): Promise<{ path: string; bytes: Buffer }>;
  remove(): Promise<void>;
}

export async function recordingFiles(): Promise<RecordingFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'charthero-recording-files-'));
  return {
    dir,
    write: async (name, size) => {
      const path = join(dir, name);
      const bytes = randomBytes(size);
      await writeFile(path, bytes);
      return { path, bytes };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * `fetch` of a media URL: status, headers and the body's bytes. Never with an Authorization
 * header. An answer of this service's media route (not an object store's) is checked against
 * openapi.json, as `TestApp.http()` checks the others.
 */
export async function fetchMedia(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const method = init.method ?? 'GET';
  const response = await fetch(url, { method, headers: init.headers, redirect: 'manual' });
  if (new URL(url).pathname.startsWith('/media/')) await assertFetchMatchesOpenApi(method, url, response);
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}
