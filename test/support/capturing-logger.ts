import type { LoggerService } from '@nestjs/common';

/** Keeps what the service logs, one line per call, to prove what does or does not reach a log. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...parts: unknown[]) => this.keep(parts);
  error = (...parts: unknown[]) => this.keep(parts);
  warn = (...parts: unknown[]) => this.keep(parts);
  debug = (...parts: unknown[]) => this.keep(parts);
  verbose = (...parts: unknown[]) => this.keep(parts);
  private keep(parts: unknown[]): void {
    this.lines.push(parts.map(String).join(' '));
  }
}
