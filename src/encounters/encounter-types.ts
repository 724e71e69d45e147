/** Why an encounter exists. Only `clinical` encounters are ever shown to partners. */
export const ENCOUNTER_PURPOSES = ['clinical', 'demo', 'training'] as const;
export type EncounterPurpose = (typeof ENCOUNTER_PURPOSES)[number];

export interface NoteContent {
  format: 'markdown' | 'text';
  text: string;
}

export interface TranscriptTurn {
  speaker: string;
  start: number;
  end: number;
  text: string;
}

export interface StoredTranscript {
  provider: string;
  turns: TranscriptTurn[];
}
