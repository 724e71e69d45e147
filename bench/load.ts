import autocannon from 'autocannon';
import { Agent, get as httpGet } from 'node:http';
import type { ManagedProcess } from './processes';
import type { Scenario } from './scenarios';

export interface LatencySummary {
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
}

/** What one load run observed, whichever driver produced it. */
export interface LoadOutcome {
  requestsPerSecond: number;
  /** Latencies of 2xx responses, ms. */
  latencies: number[];
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  autocannonLatencyMs: LatencySummary | null;
  /** The paced driver's failures by kind: an HTTP status, a socket error code, `timeout`. */
  failures?: Record<string, number>;
}

/** Drives the load of one run at a time, over at most `connections` sockets. */
export class LoadGenerator {
  private stopRun: (() => void) | undefined;

  constructor(private readonly connections: number) {}

  /** Stops the load run in progress, if any (so that the servers can close their connections). */
  stop(): void {
    this.stopRun?.();
  }

  /** Closed loop (each connection sends its next request when the previous one is answered), or autocannon's -R. */
  runAutocannon(server: ManagedProcess, token: string, scenario: Scenario, duration: number, overallRate?: number): Promise<LoadOutcome> {
    let next = 0;
    const latencies: number[] = [];
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: `http://127.0.0.1:${server.port}`,
          connections: this.connections,
          duration,
          timeout: 10,
          headers: { authorization: `Bearer ${token}` },
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: scenario.paths[next++ % scenario.paths.length] }) }],
          ...(overallRate !== undefined && { overallRate }),
        },
        (error: unknown, result) => {
          if (error) return reject(error instanceof Error ? error : new Error(`autocannon: ${JSON.stringify(error)}`));
          resolve({
            requestsPerSecond: result.requests.average,
            latencies,
            responses: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
            non2xx: result.non2xx,
            errors: result.errors,
            timeouts: result.timeouts,
            autocannonLatencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
          });
        },
      );
      this.stopRun = () => instance.stop();
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    });
  }

  /**
   * Open loop at a constant rate: request i is due at start + i / rate whether or not earlier ones
   * have been answered, and its latency runs from when it was due, so time spent waiting behind a
   * slow response counts (no coordinated omission). At most `--connections` sockets; a request
   * waiting for a free socket is still on the clock. autocannon's -R, by contrast, lets each
   * connection send its per-second quota back to back at the start of every second.
   */
  runPaced(server: ManagedProcess, token: string, scenario: Scenario, duration: number, rate: number): Promise<LoadOutcome> {
    const agent = new Agent({ keepAlive: true, maxSockets: this.connections });
    const headers = { authorization: `Bearer ${token}` };
    const total = Math.max(1, Math.floor(rate * duration));
    const interval = 1000 / rate;
    const outcome: LoadOutcome = { requestsPerSecond: 0, latencies: [], responses: 0, non2xx: 0, errors: 0, timeouts: 0, autocannonLatencyMs: null, failures: {} };
    const failed = (kind: string) => (outcome.failures![kind] = (outcome.failures![kind] ?? 0) + 1);
    this.stopRun = () => agent.destroy();
    return new Promise((resolve) => {
      const start = performance.now();
      let sent = 0;
      let settled = 0;
      const fire = (due: number) => {
        let done = false;
        const finish = (status: number | null, error?: NodeJS.ErrnoException) => {
          if (done) return;
          done = true;
          if (status === null) {
            outcome.errors++;
            failed(error?.code ?? error?.message ?? 'error');
          } else {
            outcome.responses++;
            if (status >= 200 && status < 300) outcome.latencies.push(performance.now() - due);
            else {
              outcome.non2xx++;
              failed(String(status));
            }
          }
          if (++settled === total) {
            agent.destroy();
            outcome.requestsPerSecond = outcome.responses / ((performance.now() - start) / 1000);
            resolve(outcome);
          }
        };
        const request = httpGet({ host: '127.0.0.1', port: server.port, path: scenario.paths[sent % scenario.paths.length], headers, agent, timeout: 10_000 }, (response) => {
          response.resume();
          response.on('end', () => finish(response.statusCode ?? 0));
          response.on('error', (error) => finish(null, error));
        });
        request.on('timeout', () => {
          outcome.timeouts++;
          request.destroy(new Error('timeout'));
        });
        request.on('error', (error) => finish(null, error));
      };
      const tick = () => {
        const now = performance.now();
        for (let due = start + sent * interval; sent < total && due <= now; due = start + sent * interval) {
          sent++;
          fire(due);
        }
        if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      tick();
    });
  }
}
