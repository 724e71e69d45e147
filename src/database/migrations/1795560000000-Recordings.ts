import { MigrationInterface, QueryRunner } from 'typeorm';

/** The recordings of ambient transcripts (RecordingEntity): one per document at most. */
export class Recordings1795560000000 implements MigrationInterface {
  name = 'Recordings1795560000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "recordings" (
      "recording_id" text NOT NULL,
      "document_id" text NOT NULL,
      "content_type" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "REL_6372afb3d0cd1a2e590efcd39b" UNIQUE ("document_id"),
      CONSTRAINT "PK_ba02d3627722d3131d1a630b68f" PRIMARY KEY ("recording_id"))`);
    await queryRunner.query(`ALTER TABLE "recordings" ADD CONSTRAINT "FK_recordings_document"
      FOREIGN KEY ("document_id") REFERENCES "documents"("document_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "recordings"`);
  }
}
