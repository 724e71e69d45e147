import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DisclosedItem } from './disclosure';

/** Rows read per round trip: the CLI streams, so memory stays flat however long the history. */
const BATCH_SIZE = 1_000;

/** An audit record as `audit list` shows it. */
export interface PhiAccessRecordView {
  record_id: string;
  occurred_at: Date;
  request_id: string;
  organization_id: string;
  key_id: string;
  route_id: string;
  status: number;
  reason_code: string | null;
  client_address: string | null;
  user_agent: string | null;
  disclosed: DisclosedItem[];
}

/** One disclosure of one patient's data, as `audit patient` shows it: only that patient's items. */
export interface PatientDisclosureView {
  record_id: string;
  occurred_at: Date;
  organization_id: string;
  organization_name: string | null;
  key_id: string;
  route_id: string;
  request_id: string;
  disclosed: DisclosedItem[];
}

export interface TimeRange {
  since?: Date;
  until?: Date;
}

/**
 * What operators read of the audit (`audit list`, `audit patient`), oldest first, in batches
 * that follow each other by (occurred_at, record_id): each is an index range scan, however far
 * into the history it is.
 */
@Injectable()
export class PhiAccessQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Every record of the organization's keys in the range (`until` excluded). */
  byOrganization(organizationId: string, range: TimeRange): AsyncGenerator<PhiAccessRecordView[]> {
    return this.batches<PhiAccessRecordView>(
      (after) => `SELECT r.record_id::text, r.occurred_at, r.request_id, r.organization_id, r.key_id, r.route_id, r.status, r.reason_code,
          r.client_address, r.user_agent, r.disclosed
        FROM phi_access_records r
        WHERE r.organization_id = $1 AND ${RANGE} AND ${after}
        ORDER BY r.occurred_at, r.record_id LIMIT ${BATCH_SIZE}`,
      [organizationId, range.since ?? null, range.until ?? null],
    );
  }

  /** HIPAA's accounting of disclosures: every 2xx that disclosed something of this patient, with only that patient's items. */
  byPatient(patientId: string, range: TimeRange): AsyncGenerator<PatientDisclosureView[]> {
    return this.batches<PatientDisclosureView>(
      (after) => `SELECT r.record_id::text, r.occurred_at, r.organization_id, o.name AS organization_name, r.key_id, r.route_id, r.request_id,
          (SELECT jsonb_agg(item) FROM jsonb_array_elements(r.disclosed) item WHERE item ->> 'patient_id' = $1) AS disclosed
        FROM phi_access_records r
        LEFT JOIN organizations o ON o.organization_id = r.organization_id
        WHERE r.patient_ids @> ARRAY[$1::text] AND ${RANGE} AND ${after}
        ORDER BY r.occurred_at, r.record_id LIMIT ${BATCH_SIZE}`,
      [patientId, range.since ?? null, range.until ?? null],
    );
  }

  private async *batches<Row extends { record_id: string; occurred_at: Date }>(sql: (after: string) => string, values: unknown[]): AsyncGenerator<Row[]> {
    let last: Row | null = null;
    for (;;) {
      const rows: Row[] = last ? await this.dataSource.query(sql(AFTER_LAST), [...values, last.occurred_at, last.record_id]) : await this.dataSource.query(sql('true'), values);
      if (rows.length > 0) yield rows;
      if (rows.length < BATCH_SIZE) return;
      last = rows[rows.length - 1];
    }
  }
}

/** Over records `r`: `$2` since (included), `$3` until (excluded), either null. */
const RANGE = '($2::timestamptz IS NULL OR r.occurred_at >= $2) AND ($3::timestamptz IS NULL OR r.occurred_at < $3)';
/**
 * After the last row of the previous batch. `occurred_at` comes back as a JS Date, to the
 * millisecond: exact, because PhiAccessLog writes it from one.
 */
const AFTER_LAST = '(r.occurred_at, r.record_id) > ($4::timestamptz, $5::bigint)';
