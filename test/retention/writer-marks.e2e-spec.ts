import { randomUUID } from 'node:crypto';
import { EventWriter } from '../../src/events/event-writer';
import { SqlDatabase } from '../../src/infra/database/sql-database';
import { RetentionSweeper } from '../../src/retention/retention-sweeper';
import { MODES } from '../e2e/modes';
import { useHerald } from '../e2e/support/boot-app';

// herald_event_writer_marks holds one row per event writer (process). The
// retention sweep removes the rows of writers that have not written for a day,
// so process restarts do not pile them up; a live writer's row stays.
describe.each(MODES)('retention of event writer marks (%s mode)', (mode) => {
  const herald = useHerald(mode);
  const db = () => herald().app.get(SqlDatabase);
  const marks = async () =>
    (await db().query<{ writer_id: string }>(`SELECT writer_id::text AS writer_id FROM herald_event_writer_marks`)).map((r) => r.writer_id);

  it("removes the marks of writers silent for a day and keeps the live writer's", async () => {
    await herald().app.get(EventWriter).write([{ userId: `marks-${mode}`, type: 'test.mark', data: {} }]);
    const [live] = await marks();
    const gone = randomUUID();
    await db().query(
      `INSERT INTO herald_event_writer_marks (writer_id, batch, first_ids, written_at) VALUES ($1, 7, '{1}', now() - interval '25 hours')`,
      [gone],
    );
    expect((await marks()).sort()).toEqual([live, gone].sort());

    await herald().app.get(RetentionSweeper).sweep();

    expect(await marks()).toEqual([live]);
  });
});
