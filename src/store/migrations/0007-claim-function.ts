// PostgreSQL: a claim as one statement (and so one implicit transaction) instead of a
// client-side transaction of several round trips. `taskwire_claim` walks the accounts it is
// given, fairest first, takes each one's claim lock without waiting (an account another worker
// is claiming for is skipped and its share goes to the next), and only then counts the
// account's running jobs: a VOLATILE function takes a fresh snapshot for each query it runs, so
// that count includes every claim that committed before the lock was granted, and the
// per-account cap holds across workers. One plain statement could not do this: its single
// snapshot predates the lock. SQLite has one writer and claims without these.
//
// Both dialects: an index of the queued jobs alone, by account, so a claim finds the accounts
// with queued jobs by skipping from one account to the next instead of reading the whole queue.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('jobs_queued_account')
    .on('jobs')
    .columns(['account_id', 'run_at', 'created_at'])
    .where(sql.ref('status'), '=', sql.lit('queued'))
    .execute();
  if (!isPostgres(db)) return;
  // Leases up to `p_want` of an account's due jobs within its cap; the caller holds its lock.
  // The picks come from the queued-jobs index, already in order, and the update finds them by
  // primary key alone: they are locked, and were queued when locked, so nothing else can have
  // changed them since (a `status` condition there only tempts the planner to scan the queue
  // and filter by id). Sorting is off inside the function so the planner cannot prefer another index
  // on `status` plus a sort, as it does on a database too new to have statistics (every new
  // installation, and the benchmark): that plan reads the whole queue on every claim.
  await sql`
    create function taskwire_claim_locked(
      p_account text, p_want integer, p_cap integer, p_now text, p_lease_until text,
      p_worker text
    ) returns setof jobs language plpgsql volatile set enable_sort = off as $$
    declare
      free integer;
      picked text[];
    begin
      select least(p_want, p_cap - count(*))::integer into free
        from jobs where account_id = p_account and status = 'running';
      if free <= 0 then
        return;
      end if;
      picked := array(
        select q.id from jobs q
        where q.account_id = p_account and q.status = 'queued' and q.run_at <= p_now
        order by q.run_at, q.created_at
        limit free
        for update skip locked
      );
      return query
        update jobs as j
        set status = 'running', attempts = j.attempts + 1, lease_until = p_lease_until,
            worker_id = p_worker, started_at = p_now
        where j.id = any(picked)
        returning j.*;
    end
    $$`.execute(db);
  // `p_accounts` in the order to serve them with each one's share (`p_wants`); at most
  // `p_limit` jobs in all. If every account it tried was locked by another claim, it queues
  // behind the first of those rather than leave the caller's slots idle until the next poll.
  await sql`
    create function taskwire_claim(
      p_lock_space integer, p_accounts text[], p_wants integer[], p_limit integer,
      p_cap integer, p_now text, p_lease_until text, p_worker text
    ) returns setof jobs language plpgsql volatile as $$
    declare
      i integer;
      got integer;
      left_over integer := p_limit;
      first_busy text;
    begin
      for i in 1 .. coalesce(array_length(p_accounts, 1), 0) loop
        exit when left_over <= 0;
        if not pg_try_advisory_xact_lock(p_lock_space, hashtext(p_accounts[i])) then
          first_busy := coalesce(first_busy, p_accounts[i]);
          continue;
        end if;
        return query select * from taskwire_claim_locked(
          p_accounts[i], least(p_wants[i], left_over), p_cap, p_now, p_lease_until, p_worker);
        get diagnostics got = row_count;
        left_over := left_over - got;
      end loop;
      if left_over = p_limit and first_busy is not null then
        perform pg_advisory_xact_lock(p_lock_space, hashtext(first_busy));
        return query select * from taskwire_claim_locked(
          first_busy, least(p_limit, p_cap), p_cap, p_now, p_lease_until, p_worker);
      end if;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_queued_account').execute();
  if (!isPostgres(db)) return;
  await sql`drop function taskwire_claim`.execute(db);
  await sql`drop function taskwire_claim_locked`.execute(db);
}

const isPostgres = (db: Kysely<unknown>): boolean =>
  db.getExecutor().adapter instanceof PostgresAdapter;
