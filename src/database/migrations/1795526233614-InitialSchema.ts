import { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795526233614 implements MigrationInterface {
    name = 'InitialSchema1795526233614'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "organizations" ("organization_id" text NOT NULL, "name" text NOT NULL, "api_keys_enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_256856c7ab20081dd27937d43ed" PRIMARY KEY ("organization_id"))`);
        await queryRunner.query(`CREATE TABLE "api_keys" ("key_id" text NOT NULL, "organization_id" text NOT NULL, "token_digest" text NOT NULL, "display_prefix" text NOT NULL, "scope_type" text NOT NULL DEFAULT 'organization', "scopes" text array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'active', "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_api_keys_scope_type" CHECK ("scope_type" IN ('organization', 'user', 'platform')), CONSTRAINT "CHK_api_keys_status" CHECK ("status" IN ('active', 'disabled', 'revoked')), CONSTRAINT "PK_587c54d5d82b3dfbfb59a81cb42" PRIMARY KEY ("key_id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_token_digest" ON "api_keys"  ("token_digest") `);
        await queryRunner.query(`CREATE INDEX "IDX_api_keys_organization" ON "api_keys"  ("organization_id") `);
        await queryRunner.query(`CREATE TABLE "patients" ("patient_id" text NOT NULL, "organization_id" text NOT NULL, "first_name" text NOT NULL, "last_name" text NOT NULL, "date_of_birth" date NOT NULL, CONSTRAINT "PK_1dc2db3a63a0bf2388fbfee86b1" PRIMARY KEY ("patient_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_patients_organization" ON "patients"  ("organization_id") `);
        await queryRunner.query(`CREATE TABLE "encounters" ("encounter_id" text NOT NULL, "organization_id" text NOT NULL, "patient_id" text NOT NULL, "encounter_type" text NOT NULL, "status" text NOT NULL, "purpose" text NOT NULL DEFAULT 'clinical', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "date_of_service" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "CHK_encounters_purpose" CHECK ("purpose" IN ('clinical', 'demo', 'training')), CONSTRAINT "PK_57aefca4135b89262ab657f4fca" PRIMARY KEY ("encounter_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_encounters_patient" ON "encounters"  ("patient_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_encounters_organization_created_at_id" ON "encounters"  ("organization_id", "created_at", "encounter_id") `);
        await queryRunner.query(`CREATE TABLE "documents" ("document_id" text NOT NULL, "encounter_id" text NOT NULL, "schema_type" text NOT NULL, "title" text NOT NULL, "status" text, "workflow_variant" text, "audio_duration_seconds" double precision, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "content" jsonb, "transcript" jsonb, CONSTRAINT "PK_bec3c89789f76e330bbe1766b2c" PRIMARY KEY ("document_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_documents_encounter_created_at_id" ON "documents"  ("encounter_id", "created_at", "document_id") `);
        await queryRunner.query(`CREATE TABLE "partners" ("organization_id" text NOT NULL, "enabled_routes" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_06452dc22118da1d90d050b6feb" PRIMARY KEY ("organization_id"))`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_api_keys_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("organization_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "patients" ADD CONSTRAINT "FK_patients_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("organization_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "encounters" ADD CONSTRAINT "FK_encounters_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("organization_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "encounters" ADD CONSTRAINT "FK_encounters_patient" FOREIGN KEY ("patient_id") REFERENCES "patients"("patient_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "documents" ADD CONSTRAINT "FK_documents_encounter" FOREIGN KEY ("encounter_id") REFERENCES "encounters"("encounter_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "partners" ADD CONSTRAINT "FK_partners_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("organization_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "partners" DROP CONSTRAINT "FK_partners_organization"`);
        await queryRunner.query(`ALTER TABLE "documents" DROP CONSTRAINT "FK_documents_encounter"`);
        await queryRunner.query(`ALTER TABLE "encounters" DROP CONSTRAINT "FK_encounters_patient"`);
        await queryRunner.query(`ALTER TABLE "encounters" DROP CONSTRAINT "FK_encounters_organization"`);
        await queryRunner.query(`ALTER TABLE "patients" DROP CONSTRAINT "FK_patients_organization"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_api_keys_organization"`);
        await queryRunner.query(`DROP TABLE "partners"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_documents_encounter_created_at_id"`);
        await queryRunner.query(`DROP TABLE "documents"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_encounters_organization_created_at_id"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_encounters_patient"`);
        await queryRunner.query(`DROP TABLE "encounters"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_patients_organization"`);
        await queryRunner.query(`DROP TABLE "patients"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_api_keys_organization"`);
        await queryRunner.query(`DROP INDEX "public"."UQ_api_keys_token_digest"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP TABLE "organizations"`);
    }

}
