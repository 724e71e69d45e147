/**
 * A ChartHero webhook receiver a partner can copy: Node's `http` only, no dependency.
 *
 * - Verifies the signature over the raw body (constant-time, 300 s tolerance) before anything
 *   else: `401` when it does not hold, and nothing is done.
 * - Answers `204` at once, then handles the event: ChartHero waits 10 s at most for a 2xx, and
 *   fetching a transcript may take longer.
 * - Delivery is at least once: a `ChartHero-Event-Id` already seen is acknowledged and not
 *   handled again. This keeps the ids in memory; a real receiver records them where its own
 *   writes go (a unique key), so that a restart does not forget them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { components } from '../partner-sync/schema';
import { verifyChartHeroSignature } from './verify-signature';

/** The body of `recording.transcript_ready` (a pointer, nothing else), typed from openapi.json's `webhooks`. */
export type TranscriptReadyEvent = components['schemas']['TranscriptReadyEvent'];

export interface ReceiverOptions {
  /** The endpoint's signing secrets: one, or the new and the old during a rotation. */
  secrets: readonly string[];
  /** Runs after the response has been sent; its errors are reported, never answered. */
  onEvent: (event: TranscriptReadyEvent) => Promise<void>;
  onError?: (error: unknown, event: TranscriptReadyEvent) => void;
  /** Event ids remembered for deduplication (default 10,000). */
  rememberEvents?: number;
}

/** ChartHero's bodies are a few hundred bytes; anything much larger is not ours. */
const MAX_BODY_BYTES = 64 * 1024;

export function createWebhookReceiver(options: ReceiverOptions): Server {
  const seen = new Set<string>();
  const remember = options.rememberEvents ?? 10_000;
  const onError = options.onError ?? ((error, event) => console.error(`handling ${event.id} failed:`, error));

  return createServer((request, response) => {
    const reply = (status: number, message?: string) => response.writeHead(status, { 'Content-Type': 'text/plain' }).end(message);
    if (request.method !== 'POST') return reply(405);
    readBody(request).then(
      (rawBody) => {
        if (rawBody === null) return reply(413);
        const verification = verifyChartHeroSignature(
          { rawBody, timestamp: header(request, 'charthero-timestamp'), signature: header(request, 'charthero-signature') },
          options.secrets,
        );
        if (!verification.ok) return reply(401, verification.reason);

        let event: TranscriptReadyEvent;
        try {
          event = JSON.parse(rawBody.toString('utf8')) as TranscriptReadyEvent;
        } catch {
          return reply(400, 'body is not JSON');
        }
        const eventId = header(request, 'charthero-event-id') ?? event.id;
        if (seen.has(eventId)) return reply(204);
        seen.add(eventId);
        if (seen.size > remember) seen.delete(seen.values().next().value as string);

        reply(204);
        if (event.type === 'recording.transcript_ready') options.onEvent(event).catch((error: unknown) => onError(error, event));
      },
      () => reply(400),
    );
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The raw bytes of the body, or null when it is too large. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
