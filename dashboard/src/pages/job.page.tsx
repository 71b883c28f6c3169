// One job: what ran and with what, where it stands (a timeline of its events), its result as
// a tree to copy or download, its files (images shown inline), its log, and cancel / run again.
import type { JobBody, JobFile } from '@taskwire/client';
import { useEffect, useState } from 'preact/hooks';

import { explain, type JobEvent, type JobSummary } from '../api.js';
import { JsonTree } from '../components/json-tree.js';
import { formatBytes, formatCredits, formatDuration } from '../format.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session-context.js';
import {
  Badge,
  CopyButton,
  ErrorNote,
  PageHeader,
  Show,
  Time,
  useInterval,
  useLoad,
} from '../ui.js';
import { durationOf } from './jobs.page.js';

interface JobView {
  summary: JobSummary;
  body: JobBody;
  events: JobEvent[];
  /** The identity whose credential the job ran with, when it still exists. */
  identityName?: string;
}

const LIVE_MS = 1_500;

/** Saves a Blob under `name` through a temporary link. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function JobPage({ id }: { id: string }) {
  const { api, refreshAccount } = useSession();
  const [view, reload] = useLoad<JobView>(async () => {
    const [summary, body, events, identities] = await Promise.all([
      api.jobSummary(id),
      api.tw.job(id),
      api.jobEvents(id),
      api.tw.identities(),
    ]);
    const identity = identities.find((i) =>
      i.credentials.some((c) => c.id === summary.credential_id),
    );
    return { summary, body, events, ...(identity ? { identityName: identity.name } : {}) };
  }, [api, id]);
  const processing = view.value?.body.status === 'processing';
  useInterval(() => void reload(), processing ? LIVE_MS : undefined);
  // The balance changed when the job was submitted and may change when it settles (a refund).
  useEffect(refreshAccount, [processing]);

  return (
    <Show loaded={view} label="Loading the job…">
      {(v) => <JobView view={v} reload={reload} />}
    </Show>
  );
}

function JobView({ view, reload }: { view: JobView; reload: () => Promise<void> }) {
  const { api, refreshAccount } = useSession();
  const { summary, body, events } = view;
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const timeline = events.filter((e) => e.kind !== 'log');
  const logs = events.filter((e) => e.kind === 'log');

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await work();
    } catch (e) {
      setActionError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () =>
    act(async () => {
      await api.tw.cancel(summary.id);
      refreshAccount();
      await reload();
    });
  const runAgain = () =>
    act(async () => {
      const sub = await api.tw.submit(summary.action_id, summary.params, {
        ...(summary.credential_id ? { credentialId: summary.credential_id } : {}),
      });
      refreshAccount();
      navigate(`/jobs/${sub.jobId}`);
    });

  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/jobs">Jobs</Link> / <code>{summary.id}</code>
      </nav>
      <PageHeader
        title={
          <>
            {summary.action_name} <Badge value={summary.status} />
          </>
        }
        lead={
          <>
            <Link href={`/actions/${summary.action_id}`}>
              <code>{summary.action_id}</code>
            </Link>{' '}
            · {summary.catalog_slug}
          </>
        }
        actions={
          <>
            {summary.status === 'processing' && (
              <button
                type="button"
                class="button danger"
                disabled={busy}
                onClick={() => void cancel()}
              >
                Cancel job
              </button>
            )}
            <button type="button" class="button" disabled={busy} onClick={() => void runAgain()}>
              Run again
            </button>
          </>
        }
      />
      {actionError && <ErrorNote>{actionError}</ErrorNote>}
      <div class="grid-main">
        <div>
          <ResultCard body={body} id={summary.id} />
          {body.status !== 'processing' && (body as { files?: JobFile[] }).files?.length ? (
            <FilesCard id={summary.id} files={(body as { files: JobFile[] }).files} />
          ) : null}
          <section class="card">
            <h2>Params</h2>
            <JsonTree value={summary.params} />
          </section>
          <section class="card">
            <h2>Log</h2>
            {logs.length === 0 ? (
              <p class="muted">The action wrote no log lines.</p>
            ) : (
              <ol class="log" data-testid="job-log">
                {logs.map((line, i) => (
                  <li key={i}>
                    <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>
                    <span>{line.message}</span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
        <div>
          <section class="card">
            <h2>Details</h2>
            <dl class="facts">
              <dt>Status</dt>
              <dd>
                <Badge value={summary.state} />
              </dd>
              <dt>Credits</dt>
              <dd>
                {formatCredits(summary.credits)}
                {summary.status === 'failed' && <span class="muted"> (refunded)</span>}
                {summary.status === 'processing' && <span class="muted"> (held)</span>}
              </dd>
              <dt>Duration</dt>
              <dd>{formatDuration(summary.execution_ms ?? durationOf(summary))}</dd>
              <dt>Attempts</dt>
              <dd>
                {summary.attempts} of {summary.max_attempts}
              </dd>
              <dt>Created</dt>
              <dd>
                <Time iso={summary.created_at} />
              </dd>
              <dt>Finished</dt>
              <dd>
                <Time iso={summary.completed_at} />
              </dd>
              {summary.credential_id && (
                <>
                  <dt>Ran as</dt>
                  <dd>
                    <Link href="/identities">
                      {view.identityName ?? (
                        <>
                          credential <code>{summary.credential_id.slice(0, 8)}</code> (deleted)
                        </>
                      )}
                    </Link>
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section class="card">
            <h2>Timeline</h2>
            <ol class="timeline" data-testid="job-timeline">
              {timeline.map((event, i) => (
                <li key={i} class={`timeline-${event.kind}`}>
                  <span class="timeline-kind">
                    {event.kind}
                    {event.attempt !== undefined && ` · attempt ${event.attempt}`}
                  </span>
                  <span class="timeline-message">{event.message}</span>
                  <Time iso={event.at} />
                </li>
              ))}
              {summary.status === 'processing' && (
                <li class="timeline-waiting">
                  <span class="timeline-kind">{summary.state}…</span>
                  <span class="muted small">This page updates by itself.</span>
                </li>
              )}
            </ol>
          </section>
        </div>
      </div>
    </>
  );
}

function ResultCard({ body, id }: { body: JobBody; id: string }) {
  if (body.status === 'processing') {
    return (
      <section class="card">
        <h2>Result</h2>
        <p class="muted" role="status">
          Not yet: the job is still processing.
        </p>
      </section>
    );
  }
  if (body.status === 'failed') {
    return (
      <section class="card" data-testid="job-result">
        <h2>Result</h2>
        <ErrorNote>
          <strong>{body.error.code}</strong>: {body.error.message}
        </ErrorNote>
        <p class="muted small">The job failed, so its credits were refunded in full.</p>
      </section>
    );
  }
  const text = JSON.stringify(body.data, null, 2);
  return (
    <section class="card" data-testid="job-result">
      <div class="card-header">
        <h2>Result</h2>
        <span class="page-actions">
          <CopyButton text={text} label="Copy JSON" />
          <button
            type="button"
            class="button small ghost"
            onClick={() => save(new Blob([text], { type: 'application/json' }), `job-${id}.json`)}
          >
            Download
          </button>
        </span>
      </div>
      <JsonTree value={body.data} />
    </section>
  );
}

function FilesCard({ id, files }: { id: string; files: JobFile[] }) {
  return (
    <section class="card">
      <h2>Files</h2>
      <ul class="files">
        {files.map((file) => (
          <FileRow key={file.name} id={id} file={file} />
        ))}
      </ul>
    </section>
  );
}

function FileRow({ id, file }: { id: string; file: JobFile }) {
  const { api } = useSession();
  const image = /^image\/(png|jpeg|gif|webp)$/.test(file.content_type);
  const [preview, setPreview] = useState<string>();
  const [error, setError] = useState<string>();
  // Downloads need the API key, so an <img src> cannot fetch them: fetch, then show a blob URL.
  useEffect(() => {
    if (!image) return;
    let url: string | undefined;
    let live = true;
    api.download(id, file.name).then(
      (blob) => {
        if (!live) return;
        url = URL.createObjectURL(new Blob([blob], { type: file.content_type }));
        setPreview(url);
      },
      (e: unknown) => live && setError(explain(e)),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, id, file.name]);
  const download = async () => {
    try {
      save(await api.download(id, file.name), file.name);
    } catch (e) {
      setError(explain(e));
    }
  };
  return (
    <li class="file">
      <div class="file-head">
        <span>
          <strong>{file.name}</strong>{' '}
          <span class="muted small">
            {file.content_type} · {formatBytes(file.size_bytes)}
          </span>
        </span>
        <button type="button" class="button small" onClick={() => void download()}>
          Download
        </button>
      </div>
      {preview && <img class="file-preview" src={preview} alt={`Preview of ${file.name}`} />}
      {error && <ErrorNote>{error}</ErrorNote>}
    </li>
  );
}
