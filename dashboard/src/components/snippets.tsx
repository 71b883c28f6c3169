// Ready-to-paste code for one action, with its id and example params filled in: curl, the
// TypeScript client, and Python with requests. Tabs follow the WAI-ARIA tabs pattern.
import type { JsonObject } from '@taskwire/client';
import { useState } from 'preact/hooks';

import { CopyButton } from '../ui.js';

type Language = 'curl' | 'typescript' | 'python';

const LABELS: Record<Language, string> = {
  curl: 'curl',
  typescript: 'TypeScript',
  python: 'Python',
};

export function snippet(language: Language, actionId: string, params: JsonObject, origin: string) {
  const json = JSON.stringify({ action_id: actionId, params });
  const pretty = JSON.stringify(params, null, 2);
  if (language === 'curl') {
    return `curl -sf -X POST "${origin}/v1/wire/task" \\
  -H "X-API-Key: $TASKWIRE_API_KEY" -H "Content-Type: application/json" \\
  -d '${json.replace(/'/g, "'\\''")}'
# → {"status":"processing","job_id":"…","poll_url":"/v1/wire/jobs/…"}; then:
curl -sf "${origin}/v1/wire/jobs/$JOB_ID?wait=30" -H "X-API-Key: $TASKWIRE_API_KEY"`;
  }
  if (language === 'typescript') {
    return `import { Taskwire } from '@taskwire/client';

const tw = new Taskwire({ baseUrl: '${origin}', apiKey: process.env.TASKWIRE_API_KEY });
const data = await tw.run('${actionId}', ${pretty});
console.log(data);`;
  }
  // JSON literals read as Python (true → True), on one line.
  const py = JSON.stringify(params, null, 1)
    .replace(/\n\s*/g, ' ')
    .replace(/\btrue\b/g, 'True')
    .replace(/\bfalse\b/g, 'False')
    .replace(/\bnull\b/g, 'None');
  return `import os, requests

base, key = "${origin}", os.environ["TASKWIRE_API_KEY"]
r = requests.post(f"{base}/v1/wire/task", headers={"X-API-Key": key},
                  json={"action_id": "${actionId}", "params": ${py}})
r.raise_for_status()
job_id = r.json()["job_id"]
while True:
    job = requests.get(f"{base}/v1/wire/jobs/{job_id}?wait=30", headers={"X-API-Key": key}).json()
    if job["status"] != "processing":
        break
print(job)`;
}

export function Snippets({ actionId, params }: { actionId: string; params: JsonObject }) {
  const [language, setLanguage] = useState<Language>('curl');
  const languages = Object.keys(LABELS) as Language[];
  const code = snippet(language, actionId, params, location.origin);
  const onKey = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next =
      languages[(languages.indexOf(language) + step + languages.length) % languages.length]!;
    setLanguage(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <div class="snippets">
      <div class="tabs" role="tablist" aria-label="Code samples" onKeyDown={onKey}>
        {languages.map((l) => (
          <button
            key={l}
            id={`tab-${l}`}
            type="button"
            role="tab"
            class={l === language ? 'tab current' : 'tab'}
            aria-selected={l === language}
            aria-controls="snippet-panel"
            tabIndex={l === language ? 0 : -1}
            onClick={() => setLanguage(l)}
          >
            {LABELS[l]}
          </button>
        ))}
        <span class="tabs-spacer" />
        <CopyButton text={code} />
      </div>
      <pre id="snippet-panel" role="tabpanel" aria-labelledby={`tab-${language}`} tabIndex={0}>
        <code data-testid={`snippet-${language}`}>{code}</code>
      </pre>
    </div>
  );
}
