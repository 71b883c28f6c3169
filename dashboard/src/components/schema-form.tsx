// A form generated from an action's params JSON Schema: one field per top-level property,
// typed by the schema (text, URL, number, yes/no, a choice, a list, or JSON for the rest),
// with the server's INVALID_PARAMS issues shown under the field they are about.
import type { JsonObject } from '@taskwire/client';

export interface FieldSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  items?: FieldSchema;
  minimum?: number;
  maximum?: number;
  title?: string;
}

export type Values = Record<string, string | boolean>;

export interface Field {
  name: string;
  schema: FieldSchema;
  required: boolean;
  kind: 'text' | 'url' | 'number' | 'integer' | 'boolean' | 'choice' | 'list' | 'json';
}

function typeOf(schema: FieldSchema): string | undefined {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (t) return t;
  // TypeBox unions of literals carry `anyOf: [{const}]`; a plain choice for a person.
  return undefined;
}

/** The fields of an object schema, required ones first. */
export function fieldsOf(inputSchema: JsonObject): Field[] {
  const properties = (inputSchema.properties ?? {}) as Record<string, FieldSchema & JsonObject>;
  const required = new Set((inputSchema.required ?? []) as string[]);
  const fields = Object.entries(properties).map(([name, raw]): Field => {
    const schema = withChoices(raw);
    const type = typeOf(schema);
    const kind: Field['kind'] = schema.enum
      ? 'choice'
      : type === 'string'
        ? schema.format === 'uri' || /url$/i.test(name)
          ? 'url'
          : 'text'
        : type === 'integer'
          ? 'integer'
          : type === 'number'
            ? 'number'
            : type === 'boolean'
              ? 'boolean'
              : type === 'array' && typeOf(schema.items ?? {}) === 'string'
                ? 'list'
                : 'json';
    return { name, schema, required: required.has(name), kind };
  });
  return fields.sort((a, b) => Number(b.required) - Number(a.required));
}

/** `anyOf: [{const: 'a'}, {const: 'b'}]` (TypeBox's literal unions) read as an enum. */
function withChoices(schema: FieldSchema & JsonObject): FieldSchema {
  const anyOf = schema.anyOf as Array<{ const?: unknown }> | undefined;
  if (!schema.enum && Array.isArray(anyOf) && anyOf.every((s) => 'const' in s)) {
    return { ...schema, enum: anyOf.map((s) => s.const), type: typeof anyOf[0]?.const };
  }
  return schema;
}

/** The form's starting values: the schema's defaults. */
export function initialValues(fields: Field[]): Values {
  const values: Values = {};
  for (const f of fields) {
    const d = f.schema.default;
    if (f.kind === 'boolean') values[f.name] = d === true;
    else if (d === undefined) values[f.name] = '';
    else if (f.kind === 'list' && Array.isArray(d)) values[f.name] = d.join('\n');
    else if (f.kind === 'json') values[f.name] = JSON.stringify(d, null, 2);
    else values[f.name] = typeof d === 'string' ? d : JSON.stringify(d);
  }
  return values;
}

/**
 * The params object from the form: empty optional fields are left out (so the server applies
 * its defaults). Problems found here are returned per field, before anything is sent.
 */
export function paramsFrom(
  fields: Field[],
  values: Values,
): { params: JsonObject; problems: Record<string, string> } {
  const params: JsonObject = {};
  const problems: Record<string, string> = {};
  for (const f of fields) {
    const value = values[f.name];
    if (f.kind === 'boolean') {
      if (value !== (f.schema.default === true) || f.required) params[f.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') {
      if (f.required) problems[f.name] = 'Required.';
      continue;
    }
    if (f.kind === 'integer' || f.kind === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n))) {
        problems[f.name] = f.kind === 'integer' ? 'A whole number, please.' : 'A number, please.';
      } else params[f.name] = n;
    } else if (f.kind === 'list') {
      params[f.name] = text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
    } else if (f.kind === 'json') {
      try {
        params[f.name] = JSON.parse(text) as unknown;
      } catch {
        problems[f.name] = 'This is not valid JSON.';
      }
    } else if (f.kind === 'choice') {
      const choice = f.schema.enum?.find((c) => String(c) === text);
      params[f.name] = choice ?? text;
    } else params[f.name] = text;
  }
  return { params, problems };
}

/** An example params object for the snippets: required fields, from defaults or placeholders. */
export function exampleParams(fields: Field[]): JsonObject {
  const example: JsonObject = {};
  for (const f of fields.filter((x) => x.required)) {
    const d = f.schema.default;
    example[f.name] =
      d !== undefined
        ? d
        : f.kind === 'url'
          ? 'https://example.com'
          : f.kind === 'integer' || f.kind === 'number'
            ? (f.schema.minimum ?? 1)
            : f.kind === 'boolean'
              ? true
              : f.kind === 'choice'
                ? f.schema.enum?.[0]
                : f.kind === 'list'
                  ? ['…']
                  : f.kind === 'json'
                    ? {}
                    : '…';
  }
  return example;
}

export function SchemaFields(props: {
  fields: Field[];
  values: Values;
  problems: Record<string, string>;
  onChange: (name: string, value: string | boolean) => void;
}) {
  const { fields, values, problems, onChange } = props;
  return (
    <>
      {fields.map((f) => {
        const id = `param-${f.name}`;
        const problem = problems[f.name];
        const describedBy = [f.schema.description ? `${id}-hint` : '', problem ? `${id}-error` : '']
          .filter(Boolean)
          .join(' ');
        const common = {
          id,
          name: f.name,
          'aria-invalid': problem ? true : undefined,
          'aria-describedby': describedBy || undefined,
          required: f.required,
        };
        const value = values[f.name];
        let input;
        if (f.kind === 'boolean') {
          return (
            <div key={f.name} class="field-block">
              <label class="check" for={id}>
                <input
                  {...common}
                  type="checkbox"
                  checked={value === true}
                  onChange={(e) => onChange(f.name, e.currentTarget.checked)}
                />
                {f.name}
              </label>
              <FieldNotes id={id} hint={f.schema.description} problem={problem} />
            </div>
          );
        }
        if (f.kind === 'choice') {
          input = (
            <select
              {...common}
              value={String(value)}
              onChange={(e) => onChange(f.name, e.currentTarget.value)}
            >
              {!f.required && <option value="">(default)</option>}
              {f.schema.enum?.map((c) => (
                <option key={String(c)} value={String(c)}>
                  {String(c)}
                </option>
              ))}
            </select>
          );
        } else if (f.kind === 'list' || f.kind === 'json') {
          input = (
            <textarea
              {...common}
              spellcheck={false}
              rows={f.kind === 'list' ? 3 : 5}
              placeholder={f.kind === 'list' ? 'One per line' : 'JSON'}
              value={String(value)}
              onInput={(e) => onChange(f.name, e.currentTarget.value)}
            />
          );
        } else {
          input = (
            <input
              {...common}
              type={f.kind === 'url' ? 'url' : f.kind === 'text' ? 'text' : 'number'}
              inputMode={f.kind === 'integer' ? 'numeric' : undefined}
              step={f.kind === 'integer' ? 1 : f.kind === 'number' ? 'any' : undefined}
              min={f.schema.minimum}
              max={f.schema.maximum}
              placeholder={f.kind === 'url' ? 'https://…' : undefined}
              autocomplete="off"
              value={String(value)}
              onInput={(e) => onChange(f.name, e.currentTarget.value)}
            />
          );
        }
        return (
          <div key={f.name} class="field-block">
            <label for={id}>
              {f.name}
              {!f.required && <span class="muted optional"> optional</span>}
            </label>
            {input}
            <FieldNotes id={id} hint={f.schema.description} problem={problem} />
          </div>
        );
      })}
    </>
  );
}

/** A field's description and its error, each with the id its input's aria-describedby names. */
function FieldNotes({ id, hint, problem }: { id: string; hint?: string; problem?: string }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {problem && (
        <p class="field-error" id={`${id}-error`}>
          {problem}
        </p>
      )}
    </>
  );
}
