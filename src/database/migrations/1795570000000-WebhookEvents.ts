import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints, events and deliveries (src/webhooks/entities), and the trigger that
 * records `recording.transcript_ready`.
 *
 * The event is recorded by the database, in the transaction of the write that gives an
 * `ambient_transcript` of a clinical encounter its transcript, whoever makes that write: the
 * fixture loader, the CLI, or another service sharing the database. A rolled-back write leaves
 * no event; a committed one cannot lose it. Only a transcript that appears counts: a row
 * inserted with one, or updated from none to one. Two writers racing to fill the same document
 * serialize on its row, and the second sees the first's transcript as the old value: one event.
 *
 * Its deliveries are created with it, one per endpoint of the organization that is enabled and
 * subscribed at that moment, while the organization is a partner with `documents.transcript`:
 * an endpoint created later gets the event only by a replay. Hand-written: TypeORM has no
 * notion of triggers.
 *
 * History, as every migration: the trigger function's current definition is in
 * src/webhooks/webhook-routines.ts, which replaces this one.
 */
export class WebhookEvents1795570000000 implements MigrationInterface {
  name = 'WebhookEvents1795570000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_endpoints" (
      "endpoint_id" text NOT NULL, "organization_id" text NOT NULL, "url" text NOT NULL, "events" text array NOT NULL,
      "status" text NOT NULL DEFAULT 'enabled', "secret_ciphertext" text NOT NULL, "previous_secret_ciphertext" text,
      "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_webhook_endpoints_status" CHECK ("status" IN ('enabled', 'disabled')),
      CONSTRAINT "PK_bca6f96885d9511671c59a01db1" PRIMARY KEY ("endpoint_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_endpoints_organization" ON "webhook_endpoints" ("organization_id")`);
    await queryRunner.query(`CREATE TABLE "webhook_events" (
      "event_id" text NOT NULL, "type" text NOT NULL, "organization_id" text NOT NULL, "encounter_id" text NOT NULL,
      "document_id" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_eca7d9af1d5bb2184a201ed250d" PRIMARY KEY ("event_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_organization_occurred_at" ON "webhook_events" ("organization_id", "occurred_at")`);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" (
      "delivery_id" text NOT NULL, "event_id" text NOT NULL, "endpoint_id" text NOT NULL, "status" text NOT NULL DEFAULT 'pending',
      "attempt_count" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_webhook_deliveries_event_endpoint" UNIQUE ("event_id", "endpoint_id"),
      CONSTRAINT "CHK_webhook_deliveries_status" CHECK ("status" IN ('pending', 'delivered', 'failed')),
      CONSTRAINT "PK_6c1db1ec505a69c927e3c4dcee4" PRIMARY KEY ("delivery_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_webhook_endpoints_organization"
      FOREIGN KEY ("organization_id") REFERENCES "organizations"("organization_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_webhook_deliveries_event"
      FOREIGN KEY ("event_id") REFERENCES "webhook_events"("event_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_webhook_deliveries_endpoint"
      FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("endpoint_id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE FUNCTION "record_transcript_ready"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        organization text;
        event text;
      BEGIN
        IF NEW.schema_type <> 'ambient_transcript' OR NEW.transcript IS NULL THEN RETURN NULL; END IF;
        IF TG_OP = 'UPDATE' AND OLD.transcript IS NOT NULL THEN RETURN NULL; END IF;
        SELECT e.organization_id INTO organization FROM encounters e WHERE e.encounter_id = NEW.encounter_id AND e.purpose = 'clinical';
        IF organization IS NULL THEN RETURN NULL; END IF;

        event := 'evt_' || replace(gen_random_uuid()::text, '-', '');
        INSERT INTO webhook_events (event_id, type, organization_id, encounter_id, document_id, occurred_at)
          VALUES (event, 'recording.transcript_ready', organization, NEW.encounter_id, NEW.document_id, now());
        INSERT INTO webhook_deliveries (delivery_id, event_id, endpoint_id, next_attempt_at)
          SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), event, w.endpoint_id, now()
          FROM webhook_endpoints w
          JOIN partners p ON p.organization_id = w.organization_id AND 'documents.transcript' = ANY (p.enabled_routes)
          WHERE w.organization_id = organization AND w.status = 'enabled' AND 'recording.transcript_ready' = ANY (w.events);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "record_transcript_ready" AFTER INSERT OR UPDATE OF "transcript" ON "documents"
      FOR EACH ROW EXECUTE FUNCTION "record_transcript_ready"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "record_transcript_ready" ON "documents"`);
    await queryRunner.query(`DROP FUNCTION "record_transcript_ready"()`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhook_events"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
