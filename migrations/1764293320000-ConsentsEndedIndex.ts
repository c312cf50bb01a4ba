import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent schedulers' retention scan (ConsentSchedulersService.deleteRecordsPastRetention):
 * ended consents by when they ended, so the hourly look for records past
 * CONSENT_RECORD_RETENTION_DAYS reads an index range instead of every consent ever granted.
 */
export class ConsentsEndedIndex1764293320000 implements MigrationInterface {
  name = 'ConsentsEndedIndex1764293320000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX consents_ended_idx ON consents (revoked_at) WHERE status <> 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consents_ended_idx`);
  }
}
