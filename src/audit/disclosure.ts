/**
 * One item of a response as the audit keeps it: ids only — never a name, a date of birth, a
 * note or transcript text. An encounter with the documents the response showed of it, and the
 * recording when it is the recording that was handed out (audio URL, media fetch).
 */
export interface DisclosedItem {
  readonly encounter_id: string;
  readonly patient_id: string;
  readonly document_ids: readonly string[];
  readonly recording_id?: string;
}

/**
 * What a partner handler returns: the response body, and the ids it discloses. The body is
 * sent only once the audit record of those ids is committed (PhiDisclosureGate), so a
 * handler cannot answer without saying what it discloses.
 */
export class Disclosed<Body> {
  constructor(
    readonly body: Body,
    readonly items: readonly DisclosedItem[],
  ) {}
}
