// POST /task and GET /jobs/{id} against a bare Fastify JSON route measured in the same run.
// Prints requests per second, p50/p99 latency and the ratios the targets are stated in:
// submission ≥ 0.5× and polling ≥ 0.8× of the bare route's requests per second.
import { fork } from 'node:child_process';

import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

type Target = { url: string; key?: string; jobId?: string; runningJobId?: string };

async function start(kind: 'bare' | 'taskwire'): Promise<{ target: Target; stop: () => void }> {
  const child = fork(new URL('./targets.ts', import.meta.url).pathname, [kind], {
    execArgv: ['--import', 'tsx'],
  });
  const target = await new Promise<Target>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Target));
    child.once('exit', (code) => reject(new Error(`${kind} target exited with ${code}`)));
  });
  return { target, stop: () => child.kill('SIGKILL') };
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

const postBody = JSON.stringify({ action_id: 'bench_noop', params: { n: 1 } });

const bare = await start('bare');
const taskwire = await start('taskwire');
try {
  const t = taskwire.target;
  const auth = { 'x-api-key': t.key!, 'content-type': 'application/json' };
  // A short warm-up of each, so JIT and connection set-up are not measured.
  await autocannon({ url: `${bare.target.url}/bare`, duration: 2, connections: CONNECTIONS });
  await autocannon({
    url: `${t.url}/v1/wire/jobs/${t.jobId}`,
    headers: auth,
    duration: 2,
    connections: CONNECTIONS,
  });

  const bareGet = await load({ url: `${bare.target.url}/bare` });
  const barePost = await load({
    url: `${bare.target.url}/bare`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: postBody,
  });
  const poll = await load({ url: `${t.url}/v1/wire/jobs/${t.jobId}`, headers: auth });
  const pollRunning = await load({
    url: `${t.url}/v1/wire/jobs/${t.runningJobId}`,
    headers: auth,
  });
  const submit = await load({
    url: `${t.url}/v1/wire/task`,
    method: 'POST',
    headers: auth,
    body: postBody,
  });

  const row = (name: string, f: Figures, base?: Figures) =>
    `| ${name} | ${Math.round(f.rps)} | ${f.p50} | ${f.p99} | ${f.non2xx} | ${base ? (f.rps / base.rps).toFixed(2) + '×' : '—'} |`;
  console.log(`\nAPI throughput, ${DURATION}s per run, ${CONNECTIONS} connections, loopback\n`);
  console.log('| route | req/s | p50 ms | p99 ms | non-2xx | vs bare |');
  console.log('|---|---|---|---|---|---|');
  console.log(row('bare Fastify GET (baseline)', bareGet));
  console.log(row('bare Fastify POST (baseline)', barePost));
  console.log(row('GET /v1/wire/jobs/{id} (completed)', poll, bareGet));
  console.log(row('GET /v1/wire/jobs/{id} (running)', pollRunning, bareGet));
  console.log(row('POST /v1/wire/task', submit, barePost));
  const ok =
    submit.rps / barePost.rps >= 0.5 && Math.min(poll.rps, pollRunning.rps) / bareGet.rps >= 0.8;
  console.log(`\nTargets (submit ≥ 0.5×, poll ≥ 0.8×): ${ok ? 'met' : 'NOT met'}`);
} finally {
  bare.stop();
  taskwire.stop();
}
