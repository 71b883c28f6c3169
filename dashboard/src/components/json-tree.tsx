// A JSON value as a tree a person can fold: objects and arrays open to two levels, long ones
// closed, each with its size. Native <details>, so it works with the keyboard for free.
import type { ComponentChildren } from 'preact';

const OPEN_DEPTH = 2;
const LONG = 25;

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span class="json-null">null</span>;
  if (typeof value === 'string') return <span class="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="json-bool">{String(value)}</span>;
  return <span>{JSON.stringify(value) ?? typeof value}</span>;
}

function Node(props: { name?: ComponentChildren; value: unknown; depth: number }) {
  const { name, value, depth } = props;
  const label = name !== undefined && <span class="json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div class="json-leaf">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const summary = Array.isArray(value)
    ? `[${entries.length} item${entries.length === 1 ? '' : 's'}]`
    : `{${entries.length} field${entries.length === 1 ? '' : 's'}}`;
  if (entries.length === 0) {
    return (
      <div class="json-leaf">
        {label}
        <span class="muted">{Array.isArray(value) ? '[]' : '{}'}</span>
      </div>
    );
  }
  return (
    <details class="json-node" open={depth < OPEN_DEPTH && entries.length <= LONG}>
      <summary>
        {label}
        <span class="muted">{summary}</span>
      </summary>
      <div class="json-children">
        {entries.map(([key, child]) => (
          <Node key={key} name={key} value={child} depth={depth + 1} />
        ))}
      </div>
    </details>
  );
}

export function JsonTree({ value }: { value: unknown }) {
  return (
    <div class="json-tree">
      <Node value={value} depth={0} />
    </div>
  );
}
