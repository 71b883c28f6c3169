// Params: validation of a task's params against its action's schema, and the Wire
// `parameters` array derived from that schema.
import type { TObject, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

import type { ValidationIssue } from '../errors/index.js';

export interface ParameterInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

interface SchemaLike {
  type?: unknown;
  description?: unknown;
  default?: unknown;
  anyOf?: SchemaLike[];
}

function typeName(schema: SchemaLike): string {
  if (typeof schema.type === 'string') return schema.type;
  const first = schema.anyOf?.find((s) => typeof s.type === 'string');
  return first ? typeName(first) : 'string';
}

/** The Wire `parameters` array: one entry per top-level property of the params schema. */
export function parametersOf(schema: TObject): ParameterInfo[] {
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  return Object.entries(schema.properties as Record<string, SchemaLike>).map(([name, prop]) => {
    const info: ParameterInfo = {
      name,
      type: typeName(prop),
      required: required.has(name),
      description: typeof prop.description === 'string' ? prop.description : '',
    };
    if (prop.default !== undefined) info.default = prop.default;
    return info;
  });
}

/** A compiled schema check that reports problems as `{path, message}` issues. */
export interface SchemaCheck {
  /** Returns the value with defaults applied, or the issues that make it invalid. */
  check(
    value: unknown,
  ): { ok: true; value: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] };
}

export function compileCheck(schema: TSchema): SchemaCheck {
  const validator: Validator = Compile(schema);
  return {
    check(value) {
      const withDefaults = validator.Default(structuredClone(value));
      if (validator.Check(withDefaults)) {
        return { ok: true, value: withDefaults as Record<string, unknown> };
      }
      const issues: ValidationIssue[] = [];
      for (const error of validator.Errors(withDefaults)) {
        // The schema-is-false entry repeats the additionalProperties one with less to say.
        if (error.keyword === 'boolean') continue;
        if (error.keyword === 'additionalProperties') {
          const extra =
            (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
          for (const name of extra) {
            issues.push({
              path: `${error.instancePath}/${name}`,
              message: `unknown field '${name}'`,
            });
          }
          continue;
        }
        issues.push({ path: error.instancePath, message: error.message });
      }
      return { ok: false, issues };
    },
  };
}
