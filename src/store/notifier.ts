// Wake-ups between processes: "a job was queued", "a job settled". On PostgreSQL they travel
// as NOTIFY on a channel every process LISTENs to, so a worker on another machine starts a
// job at once and a long-poll on another API node returns at once. On SQLite there is one
// process per database in practice, so they stay in memory (other processes fall back to
// polling). A lost notification only costs latency: every waiter also polls.
import { EventEmitter } from 'node:events';

import pg from 'pg';

import type { Dialect } from './database.js';

export type Channel = 'taskwire_job_queued' | 'taskwire_job_settled';

export interface Notifier {
  /** Tells every process (this one included); `payload` is a job id or empty. */
  notify(channel: Channel, payload?: string): void;
  /** Calls `listener` for every notification on `channel`; returns the unsubscribe. */
  listen(channel: Channel, listener: (payload: string) => void): () => void;
  close(): Promise<void>;
}

const CHANNELS: readonly Channel[] = ['taskwire_job_queued', 'taskwire_job_settled'];

export function createNotifier(
  dialect: Dialect,
  url: string,
  onError: (error: Error) => void = () => {},
): Notifier {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const listen = (channel: Channel, listener: (payload: string) => void): (() => void) => {
    local.on(channel, listener);
    return () => local.off(channel, listener);
  };
  if (dialect === 'sqlite') {
    return {
      notify: (channel, payload = '') => void local.emit(channel, payload),
      listen,
      close: async () => {},
    };
  }

  // One dedicated connection LISTENs; notifications go out on a second, lazily opened one,
  // so a slow NOTIFY never delays delivery of incoming ones.
  let closed = false;
  let listener: pg.Client | undefined;
  let sender: Promise<pg.Client> | undefined;

  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      if ((CHANNELS as readonly string[]).includes(message.channel)) {
        local.emit(message.channel, message.payload ?? '');
      }
    });
    client.on('error', (error) => {
      onError(error);
      listener = undefined;
      // Reconnect after a pause; meanwhile workers and waiters poll.
      if (!closed) setTimeout(() => void connectListener().catch(onError), 1000).unref();
    });
    await client.connect();
    for (const channel of CHANNELS) await client.query(`listen ${channel}`);
    if (closed) await client.end();
    else listener = client;
  };
  void connectListener().catch(onError);

  const senderClient = (): Promise<pg.Client> => {
    sender ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', (error) => {
        onError(error);
        sender = undefined;
      });
      await client.connect();
      return client;
    })();
    return sender;
  };

  // pg runs one statement at a time per connection, so notifications are never sent
  // concurrently on the sender: those raised while a send is in flight wait in `pending` and go
  // out together in the next statement. Under load that bounds the delay to about two round
  // trips instead of queueing one round trip per notification. The first send waits for the
  // end of the current turn of the event loop, so a burst raised in one turn (a claim's or a
  // group of settles' wake-ups) is one statement too. PostgreSQL delivers identical
  // (channel, payload) pairs from one statement once, so they are sent once: that loses nothing
  // for a wake-up.
  let pending = new Map<string, { channel: Channel; payload: string }>();
  let flushing: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    try {
      await new Promise((resolve) => setImmediate(resolve));
      while (pending.size > 0) {
        const batch = [...pending.values()];
        pending = new Map();
        let client: pg.Client | undefined;
        try {
          client = await senderClient();
          await client.query(
            'select pg_notify(n.channel, n.payload) from unnest($1::text[], $2::text[]) as n(channel, payload)',
            [batch.map((n) => n.channel), batch.map((n) => n.payload)],
          );
        } catch (error) {
          // A lost notification only costs latency; the next one opens a fresh connection.
          sender = undefined;
          void client?.end().catch(() => {});
          onError(error as Error);
        }
      }
    } finally {
      // Cleared in the same tick the loop sees `pending` empty, so a notify() arriving later
      // always starts a new flush rather than being stranded.
      flushing = undefined;
    }
  };

  return {
    notify(channel, payload = '') {
      if (closed) return;
      pending.set(`${channel}\n${payload}`, { channel, payload });
      flushing ??= flush();
    },
    listen,
    async close() {
      closed = true;
      // Let notifications already raised go out before the connection ends.
      await flushing;
      await listener?.end().catch(() => {});
      if (sender) await (await sender.catch(() => undefined))?.end().catch(() => {});
    },
  };
}
