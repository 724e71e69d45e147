/**
 * A small typed client for the ChartHero External API v1: the reference integration a partner
 * can copy. It uses only Node's global `fetch` (Node 18+) and the types that openapi-typescript
 * generates from the committed OpenAPI description (`npm run client:types` → `schema.d.ts`),
 * so a change of the contract shows up here as a type error.
 *
 * Behaviour:
 * - Every route is a GET, so every request is safe to repeat. A `503` (the service or its key
 *   verification is temporarily unavailable) and a network error are retried with exponential
 *   back-off, honouring the `Retry-After` seconds of a 503, every wait capped at `maxDelayMs`,
 *   at most `maxAttempts` attempts in all.
 * - Nothing else is retried. A 4xx will not change by asking again:
 *   401/403 mean the key or the organization's access must be fixed by a person; 400/422 are
 *   bugs in the calling code; 404 means the resource is gone.
 * - Every error response becomes a `PartnerApiError` carrying the public error body's
 *   `reason_code` (what to branch on), `request_id` (what to quote to ChartHero support),
 *   `field` and `missing_scopes`.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { components, paths } from './schema';

export type Encounter = components['schemas']['Encounter'];
export type EncounterList = paths['/external/v1/encounters']['get']['responses'][200]['content']['application/json'];
export type EncounterDetail = paths['/external/v1/encounters/{encounter_id}']['get']['responses'][200]['content']['application/json'];
export type DocumentDetail = paths['/external/v1/encounters/{encounter_id}/documents/{document_id}']['get']['responses'][200]['content']['application/json'];
/** A note (`schema_type: "document"`, with `content`) or an ambient transcript's metadata. */
export type EncounterDocument = DocumentDetail['document'];
export type DocumentSummary = components['schemas']['DocumentSummary'];
/** The turns of an ambient transcript, with its provider. */
export type TranscriptBody = paths['/external/v1/encounters/{encounter_id}/documents/{document_id}/transcript']['get']['responses'][200]['content']['application/json'];
/** `{ audio_url, expires_at }`: a temporary access artifact, never to be stored, logged or used after `expires_at`. */
export type AudioUrl = paths['/external/v1/encounters/{encounter_id}/documents/{document_id}/audio']['get']['responses'][200]['content']['application/json'];
export type ListEncountersParams = NonNullable<paths['/external/v1/encounters']['get']['parameters']['query']>;
export type ErrorBody = components['schemas']['ErrorBody'];
export type ReasonCode = ErrorBody['reason_code'];

/** The offset and limit bounds of the list route (docs/api.md "Query parameters"). */
export const MAX_LIMIT = 100;
export const MAX_OFFSET = 10_000;

export interface PartnerClientOptions {
  /** Where the API is served, e.g. `https://api.charthero.example` (no trailing `/external/v1`). */
  baseUrl: string;
  /** An organization-scoped API key: `ch_sk_…`. Sent only as `Authorization: Bearer …`. */
  apiKey: string;
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  /** First back-off wait when the server gives no `Retry-After` (default 500 ms; doubles each time). */
  baseDelayMs?: number;
  /** No wait is longer than this, whatever `Retry-After` says (default 30 s). */
  maxDelayMs?: number;
  /** Per-attempt time limit (default 30 s); a timeout counts as a network error. */
  timeoutMs?: number;
  /** Defaults to the global `fetch`; pass a wrapper to log or count requests. */
  fetch?: typeof fetch;
  /** Defaults to a real timer; tests may record the waits instead. */
  sleep?: (ms: number) => Promise<void>;
}

/** Which side has to act on an error. */
export type PartnerErrorKind =
  | 'authentication' // 401: the key is missing, malformed, unknown, revoked, disabled or expired
  | 'permission' // 403: key type, partner enablement, scopes, or an encounter the key may not read
  | 'caller_bug' // 400/422: the request itself is wrong; fix the calling code
  | 'not_found' // 404
  | 'unavailable' // 503 after every retry
  | 'server'; // 500 or anything unexpected

/** An error answer of the API, with the fields of its public error body. */
export class PartnerApiError extends Error {
  override readonly name = 'PartnerApiError';
  readonly kind: PartnerErrorKind;
  /** `null` when the body was not ChartHero's error body (e.g. a proxy's HTML page). */
  readonly reason_code: ReasonCode | null;
  /** The body's `request_id`, or the `X-Request-Id` header: quote it to ChartHero support. */
  readonly request_id: string | null;
  /** The body's own `message` (for people; may change). `message` adds context to it. */
  readonly apiMessage: string;
  readonly field: string | null;
  readonly missing_scopes: string[];

  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: ErrorBody | null,
    headerRequestId: string | null,
    readonly attempts: number,
  ) {
    const kind = errorKind(status);
    const reasonCode = body?.reason_code ?? null;
    const apiMessage = body?.message ?? `HTTP ${status} without a ChartHero error body`;
    const requestId = body?.request_id ?? headerRequestId;
    super(describe(kind, status, reasonCode, apiMessage, body, method, path, requestId, attempts));
    this.kind = kind;
    this.reason_code = reasonCode;
    this.request_id = requestId;
    this.apiMessage = apiMessage;
    this.field = body?.field ?? null;
    this.missing_scopes = body?.missing_scopes ?? [];
  }
}

/** The API could not be reached (connection refused or reset, DNS, timeout) after every retry. */
export class PartnerNetworkError extends Error {
  override readonly name = 'PartnerNetworkError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${method} ${path}: network error after ${attempts} attempt(s): ${explain(cause)}`, { cause });
  }
}

/**
 * `fetch failed (connect ECONNREFUSED 127.0.0.1:3000)`: Node's fetch hides the reason in
 * `cause`. Duck-typed, since errors may come from another realm (a test runner's sandbox).
 */
function explain(error: unknown): string {
  const message = (value: unknown) => (typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string' ? value.message : null);
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? message(error.cause) : null;
  const own = message(error) ?? String(error);
  return cause ? `${own} (${cause})` : own;
}

export class PartnerClient {
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PartnerClientOptions) {
    if (!options.apiKey) throw new Error('PartnerClient: apiKey is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** One page of the caller organization's encounters (`GET /external/v1/encounters`). */
  listEncounters(params: ListEncountersParams = {}): Promise<EncounterList> {
    const query = new URLSearchParams();
    // Only the keys the route supports, each once: anything else is `400 unsupported_filter`.
    for (const key of ['limit', 'offset', 'sort_order', 'start_at', 'end_at'] as const) {
      const value = params[key];
      if (value !== undefined) query.set(key, String(value));
    }
    const search = query.toString();
    return this.get<EncounterList>(`/external/v1/encounters${search ? `?${search}` : ''}`);
  }

  /** One encounter, with its patient and document summaries. */
  async getEncounter(encounterId: string): Promise<Encounter> {
    const body = await this.get<EncounterDetail>(`/external/v1/encounters/${encodeURIComponent(encounterId)}`);
    return body.encounter;
  }

  /**
   * One document of an encounter: a note with its `content`, or an ambient transcript's
   * metadata. Only `schema_type` `document` and `ambient_transcript` are served; another type is
   * `400 unsupported_document_type`.
   */
  async getDocument(encounterId: string, documentId: string): Promise<EncounterDocument> {
    const body = await this.get<DocumentDetail>(`/external/v1/encounters/${encodeURIComponent(encounterId)}/documents/${encodeURIComponent(documentId)}`);
    return body.document;
  }

  /** The transcript of an ambient transcript document (what a `recording.transcript_ready` webhook points at). */
  getTranscript(encounterId: string, documentId: string): Promise<TranscriptBody> {
    return this.get<TranscriptBody>(`/external/v1/encounters/${encodeURIComponent(encounterId)}/documents/${encodeURIComponent(documentId)}/transcript`);
  }

  /**
   * A short-lived URL to the recording of an ambient transcript (`404 audio_not_found` when it
   * has none). Ask again whenever you need the recording: each call gives a new URL.
   */
  getAudioUrl(encounterId: string, documentId: string): Promise<AudioUrl> {
    return this.get<AudioUrl>(`/external/v1/encounters/${encodeURIComponent(encounterId)}/documents/${encodeURIComponent(documentId)}/audio`);
  }

  /**
   * Downloads the recording of an ambient transcript into `filePath`, streamed (a long visit is
   * never held in memory). It asks for an audio URL, then fetches that URL **without** the API
   * key: the URL is the credential, and may point at ChartHero's storage rather than the API.
   * A URL that expired before its download began (`403 media_url_expired`) is replaced, once.
   * Error messages never quote the URL, which must stay out of logs.
   */
  async downloadRecording(encounterId: string, documentId: string, filePath: string): Promise<{ contentType: string; bytes: number }> {
    for (let attempt = 1; ; attempt++) {
      const { audio_url: audioUrl } = await this.getAudioUrl(encounterId, documentId);
      const response = await this.fetchImpl(audioUrl, { method: 'GET', signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok || response.body === null) {
        const body = await readErrorBody(response);
        if (body?.reason_code === 'media_url_expired' && attempt === 1) continue;
        throw new PartnerApiError(response.status, 'GET', 'the audio URL', body, response.headers.get('x-request-id'), attempt);
      }
      const file = createWriteStream(filePath);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), file);
      return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', bytes: file.bytesWritten };
    }
  }

  private async get<T>(path: string): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method: 'GET',
          headers: { Authorization: `Bearer ${this.options.apiKey}`, Accept: 'application/json' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        // Connection refused or reset, DNS failure, or this attempt's timeout: worth another try.
        if (attempt >= this.maxAttempts) throw new PartnerNetworkError('GET', path, attempt, error);
        await this.sleep(this.backoff(attempt));
        continue;
      }

      if (response.ok) return (await response.json()) as T;

      const body = await readErrorBody(response);
      if (response.status === 503 && attempt < this.maxAttempts) {
        await this.sleep(this.retryDelay(attempt, response.headers.get('retry-after')));
        continue;
      }
      throw new PartnerApiError(response.status, 'GET', path, body, response.headers.get('x-request-id'), attempt);
    }
  }

  /** `Retry-After` seconds when the server sent them, else exponential back-off; capped. */
  private retryDelay(attempt: number, retryAfter: string | null): number {
    if (retryAfter !== null && /^\d+$/.test(retryAfter.trim())) {
      return Math.min(Number(retryAfter.trim()) * 1000, this.maxDelayMs);
    }
    return this.backoff(attempt);
  }

  /** baseDelayMs × 2^(attempt-1), with jitter (half fixed, half random), capped at maxDelayMs. */
  private backoff(attempt: number): number {
    const exponential = Math.min(this.baseDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }
}

async function readErrorBody(response: Response): Promise<ErrorBody | null> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return isErrorBody(parsed) ? parsed : null;
  } catch {
    return null; // Not JSON: an intermediary's page, not ChartHero's error body.
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.reason_code === 'string' && typeof body.message === 'string';
}

function errorKind(status: number): PartnerErrorKind {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 400 || status === 422) return 'caller_bug';
  if (status === 404) return 'not_found';
  if (status === 503) return 'unavailable';
  return 'server';
}

function describe(
  kind: PartnerErrorKind,
  status: number,
  reasonCode: ReasonCode | null,
  apiMessage: string,
  body: ErrorBody | null,
  method: string,
  path: string,
  requestId: string | null,
  attempts: number,
): string {
  const reason = reasonCode ?? `HTTP ${status}`;
  const detail = [body?.field ? `field ${body.field}` : null, body?.missing_scopes?.length ? `missing scopes ${body.missing_scopes.join(', ')}` : null].filter(Boolean);
  const what = `${reason}${detail.length ? `; ${detail.join('; ')}` : ''}`;
  const where = `[${method} ${path} → ${status}${requestId ? `, request_id ${requestId}` : ''}]`;
  switch (kind) {
    case 'authentication':
      return `API key rejected (${what}): ${apiMessage} Check the API key; not retried. ${where}`;
    case 'permission':
      return `Access denied (${what}): ${apiMessage} Ask the organization's ChartHero admin; not retried. ${where}`;
    case 'caller_bug':
      return `Invalid request, a bug in the calling code (${what}): ${apiMessage} ${where}`;
    case 'not_found':
      return `Not found (${what}): ${apiMessage} ${where}`;
    case 'unavailable':
      return `ChartHero is unavailable (${what}) after ${attempts} attempt(s): ${apiMessage} ${where}`;
    case 'server':
      return `ChartHero answered ${status} (${what}): ${apiMessage} ${where}`;
  }
}
