import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operations, their events, and the per-user counter that hands out event ids.
 * Ids come from herald_user_event_counters inside the writing transaction (see
 * DESIGN.md): a bigserial would commit out of order and burn numbers on rollback.
 */
// JSON payloads are stored as text, not jsonb: model output may hold NUL or lone
// surrogates, which jsonb refuses, and Herald never queries inside them.
export class InitialSchema1700000000000 implements MigrationInterface {
  name = 'InitialSchema1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE herald_operations (
        id uuid PRIMARY KEY,
        user_id text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        workflow_id text NULL,
        agent_id text NULL,
        input text NOT NULL,
        progress text NULL,
        result text NULL,
        error text NULL,
        attempts integer NOT NULL DEFAULT 0,
        idempotency_key text NULL,
        cancel_requested_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL,
        last_event_id bigint NULL,
        terminal_event_id bigint NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX herald_operations_idempotency ON herald_operations (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(`CREATE INDEX herald_operations_user_created ON herald_operations (user_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX herald_operations_user_active ON herald_operations (user_id) WHERE status IN ('queued','running','retrying')`,
    );

    await q.query(`
      CREATE TABLE herald_user_event_counters (
        user_id text PRIMARY KEY,
        last_id bigint NOT NULL DEFAULT 0
      )`);
    // Kept apart from the counters so the retention job never takes the row lock writers queue on.
    await q.query(`
      CREATE TABLE herald_user_purges (
        user_id text PRIMARY KEY,
        purged_through bigint NOT NULL
      )`);

    await q.query(`
      CREATE TABLE herald_events (
        user_id text NOT NULL,
        id bigint NOT NULL,
        type text NOT NULL,
        operation_id uuid NULL,
        workflow_id text NULL,
        agent_id text NULL,
        data text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, id)
      )`);
    await q.query(`CREATE INDEX herald_events_operation ON herald_events (operation_id, id) WHERE operation_id IS NOT NULL`);
    await q.query(`CREATE INDEX herald_events_workflow ON herald_events (user_id, workflow_id, id) WHERE workflow_id IS NOT NULL`);
    await q.query(`CREATE INDEX herald_events_agent ON herald_events (user_id, agent_id, id) WHERE agent_id IS NOT NULL`);
    await q.query(`CREATE INDEX herald_events_expiry ON herald_events (expires_at)`);

    await q.query(`
      CREATE TABLE herald_retention_policies (
        type text PRIMARY KEY,
        retention_ms bigint NOT NULL CHECK (retention_ms > 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE herald_retention_policies`);
    await q.query(`DROP TABLE herald_events`);
    await q.query(`DROP TABLE herald_user_purges`);
    await q.query(`DROP TABLE herald_user_event_counters`);
    await q.query(`DROP TABLE herald_operations`);
  }
}
