import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What dispatchers need (src/webhooks/webhook-dispatcher.service.ts): a claim's lease token
 * on each delivery, its place on the retry schedule, and one row per attempt.
 */
export class WebhookDispatch1795580000000 implements MigrationInterface {
  name = 'WebhookDispatch1795580000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD "attempts_since_queued" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD "lease_token" text`);
    await queryRunner.query(`CREATE TABLE "webhook_delivery_attempts" (
      "delivery_id" text NOT NULL, "attempt_number" integer NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "status_code" integer, "error" text, "duration_ms" integer NOT NULL, "response_excerpt" text,
      CONSTRAINT "PK_webhook_delivery_attempts" PRIMARY KEY ("delivery_id", "attempt_number"))`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "FK_webhook_delivery_attempts_delivery"
      FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("delivery_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_delivery_attempts"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "lease_token"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "attempts_since_queued"`);
  }
}
