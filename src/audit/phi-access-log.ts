import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { databaseFailureSummary } from '../common/database-unavailable';
import { RepeatedLogSampler, suppressedNote } from '../common/repeated-log-sampler';
import { MetricsRegistry } from '../metrics/metrics-registry';
import type { PhiAccessRecord } from './phi-access-record';

/** The most records one INSERT carries; more wait for the next. */
const MAX_BATCH = 500;

interface QueuedRecord {
  requestId: string;
  /**
   * The record as its row's JSON, made when it is queued: one string waits for the INSERT,
   * rather than the objects of a list page's 50 items.
   */
  row: string;
  committed: () => void;
  failed: (error: unknown) => void;
}

/**
 * Appends audit records to `phi_access_records` by group commit: the records of concurrent
 * requests go in one INSERT. While one INSERT is in flight, the records that arrive wait and
 * go together in the next, so the audit costs one round trip per batch, not per request, and
 * adds at most one INSERT's time to a request (docs/PERFORMANCE.md compares this with
 * writing the record in the read's own statement).
 *
 * Each INSERT commits on its own: `append` resolves once the caller's record is durable.
 */
@Injectable()
export class PhiAccessLog implements OnApplicationShutdown {
  private readonly logger = new Logger(PhiAccessLog.name);
  private readonly sampler = new RepeatedLogSampler();
  private readonly writeDuration: Histogram<'result'>;
  private readonly records: Counter<'result'>;
  private readonly queue: QueuedRecord[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    registry: MetricsRegistry,
  ) {
    this.writeDuration = new Histogram({
      name: 'charthero_audit_write_duration_seconds',
      help: 'Time to commit one batch of PHI access records (one INSERT), by result: written or failed.',
      labelNames: ['result'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    });
    this.records = new Counter({
      name: 'charthero_audit_records_total',
      help: 'PHI access records this process appended, by result: written, or failed (a 2xx then answered 503 instead of its data).',
      labelNames: ['result'] as const,
      registers: [registry],
    });
  }

  /** Resolves once the record is committed; rejects, with the database's error, when it could not be. */
  append(record: PhiAccessRecord): Promise<void> {
    return new Promise((committed, failed) => {
      this.queue.push({ requestId: record.requestId, row: JSON.stringify(phiAccessRow(record)), committed, failed });
      this.writing ??= this.writeQueued();
    });
  }

  /**
   * For a response already sent (a denial: nothing was disclosed): the record is written in
   * the background. A failure cannot change the answer any more; it is logged and counted.
   */
  appendAfterResponse(record: PhiAccessRecord): void {
    this.append(record).catch(() => undefined);
  }

  /** Resolves once every record queued so far is written (or failed): nothing is in flight. */
  async settled(): Promise<void> {
    await this.writing;
  }

  /** Records queued by the last requests (denials are written after their response) are written before the pool closes. */
  onApplicationShutdown(): Promise<void> {
    return this.settled();
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const stopTimer = this.writeDuration.startTimer();
      try {
        await this.dataSource.query(INSERT_RECORDS, [`[${batch.map(({ row }) => row).join(',')}]`]);
        stopTimer({ result: 'written' });
        this.records.inc({ result: 'written' }, batch.length);
        for (const queued of batch) queued.committed();
      } catch (error) {
        stopTimer({ result: 'failed' });
        this.records.inc({ result: 'failed' }, batch.length);
        this.logFailure(error, batch);
        for (const queued of batch) queued.failed(error);
      }
    }
    this.writing = null;
  }

  /** `databaseFailureSummary`, never the message (it may quote a value); once per interval, as any outage's lines. */
  private logFailure(error: unknown, batch: QueuedRecord[]): void {
    const summary = databaseFailureSummary(error);
    const suppressed = this.sampler.admit(summary);
    if (suppressed === null) return;
    const requests = batch.map(({ requestId }) => requestId).join(', ');
    this.logger.error(`Could not write ${batch.length} PHI access record(s), of requests ${requests}: ${summary}${suppressedNote(suppressed)}`);
  }
}

/**
 * The whole batch is one JSON parameter (a JSON array of `phiAccessRow`s): one statement
 * whatever the number of records, and no value spliced into SQL text. Exported with
 * `phiAccessRow` for the benchmark's baseline, which must do the same work (bench/baseline-server.ts).
 */
export const INSERT_RECORDS = `INSERT INTO phi_access_records
    (occurred_at, request_id, organization_id, key_id, route_id, status, reason_code, client_address, user_agent, disclosed, patient_ids)
  SELECT r.occurred_at, r.request_id, r.organization_id, r.key_id, r.route_id, r.status, r.reason_code, r.client_address, r.user_agent,
    r.disclosed, r.patient_ids
  FROM jsonb_to_recordset($1::jsonb) AS r(occurred_at timestamptz, request_id text, organization_id text, key_id text, route_id text,
    status smallint, reason_code text, client_address text, user_agent text, disclosed jsonb, patient_ids text[])`;

/** A record as one element of INSERT_RECORDS' parameter. */
export function phiAccessRow(record: PhiAccessRecord): Record<string, unknown> {
  return {
    occurred_at: record.occurredAt.toISOString(),
    request_id: record.requestId,
    organization_id: record.organizationId,
    key_id: record.keyId,
    route_id: record.routeId,
    status: record.status,
    reason_code: record.reasonCode,
    client_address: record.clientAddress,
    user_agent: record.userAgent,
    disclosed: record.disclosed,
    patient_ids: [...new Set(record.disclosed.map((item) => item.patient_id))],
  };
}
