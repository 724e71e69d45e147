import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { deadline, sleep } from './real-time';

/** A request as the receiver saw it: headers and the raw bytes of the body. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  receivedAt: number;
}

/** What the receiver does with the next request: answer with a status (and headers; `delay` ms late, a real wait), or never answer. */
export type ReceiverReply = { status: number; headers?: Record<string, string>; body?: string; delay?: number } | 'hang';

/**
 * A real HTTP receiver on 127.0.0.1 for the dispatcher to POST to. Replies are taken in order
 * from `reply(...)`; once they run out, it answers 200.
 *
 * Its URLs start with a random segment of its own, and a request for any other path is answered
 * 404 and not kept: a port is reused once a receiver closes, and a dispatcher of another test
 * (another file, another process) may still be retrying a delivery to the receiver it had there.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly prefix = `/${randomBytes(6).toString('hex')}`;
  private readonly replies: ReceiverReply[] = [];
  private readonly hanging: ServerResponse[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private server!: Server;

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        if (!path.startsWith(`${receiver.prefix}/`)) return void response.writeHead(404).end();
        receiver.handle({ path: path.slice(receiver.prefix.length), headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() }, response);
      });
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>/<this receiver's segment><path>`; a request's `path` is kept without the segment. */
  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${this.prefix}${path}`;
  }

  reply(...replies: ReceiverReply[]): void {
    this.replies.push(...replies);
  }

  /**
   * Resolves once `count` requests have arrived in all: for a dispatcher in another process or
   * running on its own (a test that drives one calls `dispatchDue` and needs no wait).
   */
  async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedWebhook[]> {
    if (this.received.length < count) {
      const arrived = new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
      await deadline(arrived, timeoutMs, `${count} webhook requests (${this.received.length} so far)`);
    }
    return this.received.slice(0, count);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(webhook: ReceivedWebhook, response: ServerResponse): void {
    this.received.push(webhook);
    const reply = this.replies.shift() ?? { status: 200 };
    if (reply === 'hang') {
      this.hanging.push(response);
    } else {
      // A late answer is a real wait: it is what a test that sets `delay` is about (an attempt still in flight).
      void sleep(reply.delay ?? 0).then(() => response.writeHead(reply.status, reply.headers).end(reply.body ?? ''));
    }
    for (const waiter of this.waiters.filter((w) => this.received.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}
