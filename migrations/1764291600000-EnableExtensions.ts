import { MigrationInterface, QueryRunner } from 'typeorm';

/** citext gives case-insensitive email columns without lower() everywhere. */
export class EnableExtensions1764291600000 implements MigrationInterface {
  name = 'EnableExtensions1764291600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS citext');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP EXTENSION IF EXISTS citext');
  }
}
