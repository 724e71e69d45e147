import type { EncounterDetailDto, EncounterListDto } from './encounter.dto';

/**
 * The partner guide's response examples, in one place: the OpenAPI description shows them,
 * test/e2e/encounter-list.e2e-spec.ts gets them from the service for the guide's fixture, and
 * test/unit/docs.spec.ts finds the list example verbatim in docs/api.md.
 */

const PATIENT = { patient_id: 'pat_3Qn8', first_name: 'Jane', last_name: 'Doe', date_of_birth: '1970-01-01' };
const TIMES = { created_at: '2026-05-25T14:00:00Z', updated_at: '2026-05-25T15:00:00Z', date_of_service: '2026-05-25T14:00:00Z' };

export const GUIDE_LIST_EXAMPLE: EncounterListDto = {
  items: [
    {
      encounter_id: 'enc_9YpJvK2',
      organization_id: 'org_7Df4',
      encounter_type: 'ambient',
      status: 'completed',
      ...TIMES,
      patient: PATIENT,
      documents: [
        {
          document_id: 'doc_Ambient1',
          schema_type: 'ambient_transcript',
          title: 'Ambient transcript',
          status: 'completed',
          workflow_variant: 'ambient',
          audio_duration_seconds: 842.4,
        },
      ],
    },
  ],
  limit: 25,
  offset: 0,
  total: 1,
};

export const GUIDE_DETAIL_EXAMPLE: EncounterDetailDto = {
  encounter: {
    encounter_id: 'enc_9YpJvK2',
    organization_id: 'org_7Df4',
    encounter_type: 'clinical_documentation',
    status: 'completed',
    ...TIMES,
    patient: PATIENT,
    documents: [{ document_id: 'doc_Note1', schema_type: 'document', title: 'Progress note', status: null, workflow_variant: null, audio_duration_seconds: null }],
  },
};
