// The baseline the engine benchmark compares Taskwire with: a minimal hand-written job queue
// on the same database. One table; N rows inserted by `submitters` concurrent loops, each
// insert its own transaction; `slots` claim loops each claim one row at a time and mark it
// done. PostgreSQL claims with `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)
// RETURNING`; SQLite with the same UPDATE inside BEGIN IMMEDIATE, on a connection opened with
// Taskwire's settings (WAL, synchronous=FULL). No accounts, ledger, leases or retries.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export interface QueueRun {
  /** Jobs per second from the first insert to the last one marked done. */
  jobsPerSecond: number;
  /** Milliseconds from each insert's commit to its claim (only with `paceMs`). */
  latencies: number[];
}

export interface Baseline {
  run(jobs: number, submitters: number, slots: number, paceMs?: number): Promise<QueueRun>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `count` inserts from `concurrency` loops, or one every `paceMs` when pacing. */
async function insertAll(
  count: number,
  concurrency: number,
  paceMs: number | undefined,
  insert: () => Promise<void>,
): Promise<void> {
  if (paceMs !== undefined) {
    for (let i = 0; i < count; i++) {
      await insert();
      await sleep(paceMs);
    }
    return;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await insert();
      }
    }),
  );
}

export function sqliteBaseline(path: string): Baseline {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`create table if not exists baseline_jobs (
    id integer primary key, status text not null, submitted_at integer, started_at integer)`);
  db.exec(`create index if not exists baseline_jobs_status on baseline_jobs (status, id)`);
  const insert = db.prepare(
    `insert into baseline_jobs (status, submitted_at) values ('queued', ?) returning id`,
  );
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  const claim = db.prepare(`update baseline_jobs set status = 'running', started_at = ?
    where id = (select id from baseline_jobs where status = 'queued' order by id limit 1)
    returning id`);
  const finish = db.prepare(`update baseline_jobs set status = 'done' where id = ?`);
  return {
    async run(jobs, submitters, slots, paceMs) {
      db.exec('delete from baseline_jobs');
      const committed = new Map<number, number>();
      const started = new Map<number, number>();
      let done = 0;
      const t0 = performance.now();
      const inserting = insertAll(jobs, submitters, paceMs, async () => {
        const row = insert.get(Date.now()) as { id: number };
        committed.set(row.id, Date.now());
        // One synchronous connection: let the claim loops take their turn.
        await new Promise((r) => setImmediate(r));
      });
      const claiming = Array.from({ length: slots }, async () => {
        while (done < jobs) {
          begin.run();
          const now = Date.now();
          const row = claim.get(now) as { id: number } | undefined;
          commit.run();
          if (!row) {
            await sleep(1);
            continue;
          }
          started.set(row.id, now);
          finish.run(row.id);
          done += 1;
          await new Promise((r) => setImmediate(r));
        }
      });
      await Promise.all([inserting, ...claiming]);
      const seconds = (performance.now() - t0) / 1000;
      const latencies = [...started].map(([id, at]) => Math.max(0, at - committed.get(id)!));
      return { jobsPerSecond: jobs / seconds, latencies };
    },
    async close() {
      db.close();
    },
  };
}

export async function postgresBaseline(url: string, connections: number): Promise<Baseline> {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  await pool.query(`create table if not exists baseline_jobs (
    id bigserial primary key, status text not null, submitted_at bigint, started_at bigint)`);
  await pool.query(`create index if not exists baseline_jobs_status on baseline_jobs (status, id)`);
  return {
    async run(jobs, submitters, slots, paceMs) {
      await pool.query('truncate baseline_jobs');
      const committed = new Map<string, number>();
      const started = new Map<string, number>();
      let done = 0;
      const t0 = performance.now();
      const inserting = insertAll(jobs, submitters, paceMs, async () => {
        const { rows } = await pool.query<{ id: string }>(
          `insert into baseline_jobs (status, submitted_at) values ('queued', $1) returning id`,
          [Date.now()],
        );
        committed.set(rows[0]!.id, Date.now());
      });
      const claiming = Array.from({ length: slots }, async () => {
        const client = await pool.connect();
        try {
          while (done < jobs) {
            const now = Date.now();
            const { rows } = await client.query<{ id: string }>(
              `update baseline_jobs set status = 'running', started_at = $1
               where id = (select id from baseline_jobs where status = 'queued'
                           order by id for update skip locked limit 1)
               returning id`,
              [now],
            );
            const row = rows[0];
            if (!row) {
              await sleep(1);
              continue;
            }
            started.set(row.id, now);
            await client.query(`update baseline_jobs set status = 'done' where id = $1`, [row.id]);
            done += 1;
          }
        } finally {
          client.release();
        }
      });
      await Promise.all([inserting, ...claiming]);
      const seconds = (performance.now() - t0) / 1000;
      const latencies = [...started].map(([id, at]) => Math.max(0, at - committed.get(id)!));
      return { jobsPerSecond: jobs / seconds, latencies };
    },
    async close() {
      await pool.end();
    },
  };
}
