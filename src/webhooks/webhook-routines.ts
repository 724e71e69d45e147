/**
 * The database routine of the webhooks module: the body of the `record_transcript_ready`
 * trigger on documents (migration WebhookEvents made the tables and attached the trigger). Its
 * one current definition: `db migrate` replaces the deployed function whenever this text
 * changes (src/database/routine-installer.ts).
 *
 * The event is recorded by the database, in the transaction of the write that gives an
 * `ambient_transcript` of a listed encounter its transcript, whoever makes that write: the
 * fixture loader, the CLI, or another service sharing the database. A rolled-back write leaves
 * no event; a committed one cannot lose it. Only a transcript that appears counts: a row
 * inserted with one, or updated from none to one. Two writers racing to fill the same document
 * serialize on its row, and the second sees the first's transcript as the old value: one event.
 *
 * Its deliveries are created with it, one per endpoint of the organization that is enabled and
 * subscribed at that moment, while the organization is a partner with `documents.transcript`:
 * an endpoint created later gets the event only by a replay.
 */
import type { DatabaseRoutine } from '../common/database-routine';
import { listedEncounter } from '../encounters/listed-encounter';

const RECORD_TRANSCRIPT_READY: DatabaseRoutine = {
  name: 'record_transcript_ready',
  definition: `CREATE OR REPLACE FUNCTION "record_transcript_ready"() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      organization text;
      event text;
    BEGIN
      IF NEW.schema_type <> 'ambient_transcript' OR NEW.transcript IS NULL THEN RETURN NULL; END IF;
      IF TG_OP = 'UPDATE' AND OLD.transcript IS NOT NULL THEN RETURN NULL; END IF;
      SELECT e.organization_id INTO organization FROM encounters e WHERE e.encounter_id = NEW.encounter_id AND ${listedEncounter('e')};
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
    END $$`,
};

export const WEBHOOK_ROUTINES: readonly DatabaseRoutine[] = [RECORD_TRANSCRIPT_READY];
