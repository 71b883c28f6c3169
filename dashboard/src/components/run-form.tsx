// The "Run" form of an action page: fields from the params schema, the account's identities
// for the catalog to pick from, then the task is submitted and followed to its result.
import type { Action, FinishedJob, Identity } from '@taskwire/client';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { explain, TaskwireError } from '../api.js';
import { formatCredits, formatDuration } from '../format.js';
import { Link } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, ErrorNote, Loading, useLoad } from '../ui.js';
import { JsonTree } from './json-tree.js';
import { fieldsOf, initialValues, paramsFrom, SchemaFields, type Values } from './schema-form.js';

type Run =
  | { phase: 'idle' }
  | { phase: 'submitting' }
  | { phase: 'waiting'; jobId: string }
  | { phase: 'done'; jobId: string; job: FinishedJob };

/** An identity is usable when it holds an active credential. */
const usable = (identity: Identity) => identity.credentials.some((c) => c.status === 'active');

export function RunForm({ action, catalogSlug }: { action: Action; catalogSlug: string }) {
  const { api, refreshAccount } = useSession();
  const fields = useMemo(() => fieldsOf(action.input_schema), [action]);
  const [values, setValues] = useState<Values>(() => initialValues(fields));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ text: string; connect?: string }>();
  const [identityId, setIdentityId] = useState('');
  const [run, setRun] = useState<Run>({ phase: 'idle' });
  const stop = useRef<AbortController>();
  const needsLogin = action.auth_mode !== 'none';
  const [identities] = useLoad(
    () => (needsLogin ? api.tw.identities({ catalogId: catalogSlug }) : Promise.resolve([])),
    [api, catalogSlug, needsLogin],
  );
  useEffect(() => () => stop.current?.abort(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const built = paramsFrom(fields, values);
    setProblems(built.problems);
    if (Object.keys(built.problems).length > 0) {
      setError({ text: 'Some fields need attention (see above).' });
      return;
    }
    setRun({ phase: 'submitting' });
    stop.current?.abort();
    stop.current = new AbortController();
    try {
      const sub = await api.tw.submit(action.action_id, built.params, {
        ...(identityId ? { identityId } : {}),
        signal: stop.current.signal,
      });
      refreshAccount();
      let job: FinishedJob;
      if (sub.status === 'processing') {
        setRun({ phase: 'waiting', jobId: sub.jobId });
        job = await api.tw.waitForJob(sub.jobId, { signal: stop.current.signal });
      } else job = sub;
      setRun({ phase: 'done', jobId: sub.jobId, job });
      refreshAccount();
    } catch (e) {
      if (stop.current.signal.aborted) return;
      setRun({ phase: 'idle' });
      if (e instanceof TaskwireError && e.code === 'INVALID_PARAMS' && e.issues?.length) {
        // Each issue goes under its field; anything not about one field stays by the button.
        const byField: Record<string, string> = {};
        const rest: string[] = [];
        for (const issue of e.issues) {
          // Paths point into params (`/url`); some servers prefix them with `/params`.
          const name = /^(?:\/params)?\/([^/]+)/.exec(issue.path)?.[1];
          if (name && fields.some((f) => f.name === name)) byField[name] = issue.message;
          else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
        }
        setProblems(byField);
        setError({
          text: rest.length ? rest.join('; ') : 'Some fields need attention (see above).',
        });
      } else if (e instanceof TaskwireError && e.connectUrl) {
        setError({ text: e.message, connect: e.connectUrl });
      } else setError({ text: explain(e) });
    }
  };

  const busy = run.phase === 'submitting' || run.phase === 'waiting';
  return (
    <form
      class="card run-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Run this action"
    >
      <div class="card-header">
        <h2>Run</h2>
        <span class="muted small">
          Costs {formatCredits(action.credits_per_call)}; refunded if it fails.
        </span>
      </div>
      {fields.length === 0 && <p class="muted">This action takes no params.</p>}
      <SchemaFields
        fields={fields}
        values={values}
        problems={problems}
        onChange={(name, value) => {
          setValues((prev) => ({ ...prev, [name]: value }));
          setProblems(({ [name]: _, ...rest }) => rest);
        }}
      />
      {needsLogin && (
        <div class="field-block">
          <label for="run-identity">Run as</label>
          {identities.state === 'ready' ? (
            <>
              <select
                id="run-identity"
                value={identityId}
                onChange={(e) => setIdentityId(e.currentTarget.value)}
              >
                <option value="">
                  {action.auth_mode === 'optional'
                    ? 'No login (anonymous)'
                    : 'The default identity'}
                </option>
                {identities.value.map((identity) => (
                  <option key={identity.id} value={identity.id} disabled={!usable(identity)}>
                    {identity.name}
                    {identity.is_default ? ' (default)' : ''}
                    {usable(identity) ? '' : ' — expired'}
                  </option>
                ))}
              </select>
              {identities.value.length === 0 && (
                <p class="hint">
                  No identity for this site yet.{' '}
                  <Link href={`/products/holocron/${catalogSlug}/connect`}>Connect one</Link>
                  {action.auth_mode === 'required'
                    ? ' to run this action.'
                    : ' to run it signed in.'}
                </p>
              )}
            </>
          ) : identities.state === 'failed' ? (
            <ErrorNote>{identities.error}</ErrorNote>
          ) : (
            <Loading label="Loading your identities…" />
          )}
        </div>
      )}
      <div class="actions-row">
        <button class="button primary" type="submit" disabled={busy}>
          {run.phase === 'submitting'
            ? 'Submitting…'
            : run.phase === 'waiting'
              ? 'Running…'
              : 'Run'}
        </button>
        {run.phase === 'waiting' && (
          <span class="muted small" role="status">
            Job <Link href={`/jobs/${run.jobId}`}>{run.jobId.slice(0, 8)}</Link> is running…
          </span>
        )}
      </div>
      {error && (
        <ErrorNote>
          {error.text}
          {error.connect && (
            <>
              {' '}
              <Link href={error.connect}>Connect an account</Link>
            </>
          )}
        </ErrorNote>
      )}
      {run.phase === 'done' && <RunResult jobId={run.jobId} job={run.job} />}
    </form>
  );
}

function RunResult({ jobId, job }: { jobId: string; job: FinishedJob }) {
  return (
    <section class="run-result" aria-live="polite" data-testid="run-result">
      <div class="card-header">
        <h3>
          Result <Badge value={job.status} />
        </h3>
        <Link href={`/jobs/${jobId}`} class="small">
          Open the job
        </Link>
      </div>
      {job.status === 'completed' ? (
        <>
          <p class="muted small">
            Took {formatDuration(job.execution_ms)} · {formatCredits(job.credits_used)}
            {job.files?.length
              ? ` · ${job.files.length} file${job.files.length === 1 ? '' : 's'}`
              : ''}
          </p>
          <JsonTree value={job.data} />
        </>
      ) : (
        <ErrorNote>
          <strong>{job.error.code}</strong>: {job.error.message} The credits were refunded.
        </ErrorNote>
      )}
    </section>
  );
}
