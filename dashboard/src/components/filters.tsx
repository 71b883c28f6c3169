// The filter bars of the list pages (catalog, jobs): a search box whose text reaches the URL
// once the person pauses, and labelled selects whose choice goes to the URL at once.
import { useEffect, useState } from 'preact/hooks';

/** A choice of a filter: the value kept in the URL and what the person reads. */
export type Choice = readonly [value: string, label: string];

/**
 * The search box's text, and a setter; `apply` receives the text once typing has paused for
 * `ms`, and not at all while it still equals `current` (the URL's value).
 */
export function useSearchText(
  current: string,
  apply: (text: string) => void,
  ms: number,
): [string, (text: string) => void] {
  const [text, setText] = useState(current);
  useEffect(() => {
    if (text === current) return;
    const timer = setTimeout(() => apply(text), ms);
    return () => clearTimeout(timer);
  }, [text]);
  return [text, setText];
}

export function SearchField(props: {
  id: string;
  placeholder: string;
  value: string;
  onInput: (text: string) => void;
}) {
  return (
    <div class="field field-wide">
      <label for={props.id}>Search</label>
      <input
        id={props.id}
        type="search"
        placeholder={props.placeholder}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </div>
  );
}

export function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  choices: readonly Choice[];
  onChange: (event: Event) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={props.onChange}>
        {props.choices.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
