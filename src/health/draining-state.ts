import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * How long a draining server keeps its listener open before closing it. Its responses carry
 * `Connection: close` meanwhile, so each client's keep-alive connection carries at most the
 * request already on its way and is then closed by the server after a complete response;
 * closing idle keep-alive connections at once would reset requests that clients were writing
 * onto them at that moment.
 */
const DRAIN_GRACE_MS = 1_000;

/**
 * Whether the process has been told to stop (SIGTERM). From then on readiness answers 503, so
 * that load balancers stop sending traffic while the requests in flight finish.
 */
@Injectable()
export class DrainingState implements BeforeApplicationShutdown {
  private draining = false;

  start(): void {
    this.draining = true;
  }

  get active(): boolean {
    return this.draining;
  }

  /** Nest closes the HTTP server after this hook: first, the grace period. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (signal === undefined) return; // app.close() from code (tests, the demo): nothing is in flight
    this.start();
    await new Promise((resolve) => setTimeout(resolve, DRAIN_GRACE_MS));
  }
}
