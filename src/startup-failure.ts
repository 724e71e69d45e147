import type { AppConfig } from './config/app-config';
import { ConfigError } from './config/load-app-config';
import { StartupError } from './common/startup-error';

/** Why a start failed, as the one error line main.ts logs, and whether its stack helps. */
export interface StartupFailure {
  message: string;
  /** Only for a failure nobody foresaw (a bug): known causes need no stack. */
  unforeseen: boolean;
}

/**
 * Names the cause of a failed start for an operator: the variable and port that is taken, the
 * database that refused (StartupError), the configuration at fault (ConfigError).
 * `config` is null when the configuration itself could not be read.
 */
export function describeStartupFailure(error: unknown, config: AppConfig | null): StartupFailure {
  if (error instanceof ConfigError) return { message: `Configuration error: ${error.message}`, unforeseen: false };
  if (error instanceof StartupError) return { message: error.message, unforeseen: false };
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  const variable = port === undefined || config === null ? null : port === config.port ? 'PORT' : port === config.metricsPort ? 'METRICS_PORT' : null;
  if (variable !== null && code === 'EADDRINUSE') return { message: `Cannot listen on ${variable} ${port}: the port is already in use (EADDRINUSE)`, unforeseen: false };
  if (variable !== null && code === 'EACCES') return { message: `Cannot listen on ${variable} ${port}: permission denied (EACCES)`, unforeseen: false };
  return { message: `Start failed: ${(error as Error).name}: ${(error as Error).message}`, unforeseen: true };
}
