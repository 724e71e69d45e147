import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { hostOf, isPublicAddress } from './webhook-target';

/** docs/webhooks.md "Answering, retries and idempotency": a 2xx within 10 s is delivered; the whole attempt, DNS to last byte, gets 10 s. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Of a response body only this much is read and kept, for an operator reading a failure. */
const EXCERPT_BYTES = 256;

/** How one POST ended. */
export interface AttemptOutcome {
  statusCode: number | null;
  /** Set when no status code came back: what went wrong, as a class of error. */
  error: AttemptError | null;
  durationMs: number;
  responseExcerpt: string | null;
  /** A `Retry-After` of a 429 or 503, in seconds from now. */
  retryAfterSeconds: number | null;
}

export type AttemptError =
  'timeout' | 'target_not_public' | 'signing_secret_unreadable' | 'dns_error' | 'connection_refused' | 'connection_reset' | 'tls_error' | 'connection_error';

class TargetNotPublicError extends Error {
  override readonly name = 'TargetNotPublicError';
}

/**
 * POSTs one webhook request. Redirects are not followed (Node's client never does). Unless
 * `WEBHOOK_ALLOW_PRIVATE_TARGETS`, every address the host resolves to must be public, and the
 * connection goes to the address that was checked: a DNS answer that changes between the check
 * and the connection (rebinding) cannot reach inside.
 */
@Injectable()
export class WebhookSender implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // The default outside production; in production, an unsafe switch someone turned on.
    if (this.config.production && this.config.webhooks.allowPrivateTargets) {
      new Logger('Webhooks').warn('WEBHOOK_ALLOW_PRIVATE_TARGETS=true in production: webhooks may be sent over http and to loopback and private addresses.');
    }
  }

  async post(target: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome> {
    const started = performance.now();
    const outcome = (partial: Omit<AttemptOutcome, 'durationMs'>): AttemptOutcome => ({ ...partial, durationMs: Math.round(performance.now() - started) });
    const url = new URL(target);
    if (!this.config.webhooks.allowPrivateTargets && (url.protocol !== 'https:' || (isIP(hostOf(url)) !== 0 && !isPublicAddress(hostOf(url))))) {
      return outcome({ statusCode: null, error: 'target_not_public', responseExcerpt: null, retryAfterSeconds: null });
    }
    try {
      const response = await this.request(url, headers, body);
      return outcome(response);
    } catch (error) {
      return outcome({ statusCode: null, error: classify(error), responseExcerpt: null, retryAfterSeconds: null });
    }
  }

  private request(url: URL, headers: Record<string, string>, body: string): Promise<Omit<AttemptOutcome, 'durationMs' | 'error'> & { error: null }> {
    const client = url.protocol === 'https:' ? https : http;
    const payload = Buffer.from(body, 'utf8');
    return new Promise((resolve, reject) => {
      const request = client.request(url, {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(payload.length) },
        // A fresh connection per attempt, made to the address checked for this attempt.
        agent: false,
        lookup: this.config.webhooks.allowPrivateTargets ? undefined : publicAddressLookup,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let finished = false;
        // The status code is the outcome; the body is read only for its excerpt, and only as
        // long as the attempt's time lasts (a body cut off by the timeout keeps what arrived).
        const finish = () => {
          if (finished) return;
          finished = true;
          response.destroy();
          resolve({
            statusCode: response.statusCode ?? null,
            error: null,
            responseExcerpt:
              kept === 0
                ? null
                : Buffer.concat(chunks)
                    .subarray(0, EXCERPT_BYTES)
                    .toString('utf8')
                    .replace(/\uFFFD+$/, ''),
            retryAfterSeconds: response.statusCode === 429 || response.statusCode === 503 ? retryAfterSeconds(response.headers['retry-after'], this.clock.now()) : null,
          });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          kept += chunk.length;
          if (kept >= EXCERPT_BYTES) finish();
        });
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);
      });
      request.end(payload);
    });
  }
}

/** dns.lookup, refusing the host when any of its addresses is not public. */
const publicAddressLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused !== undefined || addresses.length === 0) {
      return callback(new TargetNotPublicError(`${hostname} resolves to a non-public address`), '', 0);
    }
    if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

/** `Retry-After` as seconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
function retryAfterSeconds(header: string | undefined, now: number): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

function classify(error: unknown): AttemptError {
  if (error instanceof TargetNotPublicError) return 'target_not_public';
  const { name, code } = error as NodeJS.ErrnoException;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ABORT_ERR') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') return 'dns_error';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL') || code?.includes('CERT')) return 'tls_error';
  return 'connection_error';
}
