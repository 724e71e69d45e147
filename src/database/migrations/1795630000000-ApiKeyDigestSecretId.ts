import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `api_keys.digest_secret_id`: which digest secret made `token_digest` (an id that reveals
 * nothing of the secret; src/auth/api-key-digest.service.ts). During a rotation of
 * `API_KEY_DIGEST_SECRET`, `keys list` shows the keys still digested under the previous one.
 * Keys issued before it have none until their next use, which records the current secret's.
 */
export class ApiKeyDigestSecretId1795630000000 implements MigrationInterface {
  name = 'ApiKeyDigestSecretId1795630000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "digest_secret_id" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "digest_secret_id"`);
  }
}
