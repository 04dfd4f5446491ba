import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per event writer (process): the last batch it stored in a single
 * statement, with the first id each of its users got. A writer whose
 * connection dropped during that statement reads its row to learn whether the
 * batch committed, and under which ids, instead of storing it twice.
 */
export class EventWriterMarks1763700000000 implements MigrationInterface {
  name = 'EventWriterMarks1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE herald_event_writer_marks (
        writer_id uuid PRIMARY KEY,
        batch bigint NOT NULL,
        first_ids bigint[] NOT NULL,
        written_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE herald_event_writer_marks`);
  }
}
