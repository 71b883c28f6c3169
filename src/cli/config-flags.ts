// Every setting of the config schema as a flag of `serve` and `worker`: `--worker-concurrency 4`
// is TASKWIRE_WORKER_CONCURRENCY=4 for this run. Flags win over the environment; the schema's
// parsers check both the same way.
import type { Command } from 'commander';

import { type Config, loadConfig, SETTINGS } from '../config/index.js';

type SettingKey = keyof typeof SETTINGS;

/** Secrets are not flags: a command line is visible to every user of the machine (`ps`). */
export const SECRET_SETTINGS: readonly SettingKey[] = [
  'masterKey',
  'previousMasterKeys',
  'metricsToken',
];

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Adds one `--<setting> <value>` flag per setting (but `exclude`), and `--origin slug=url`. */
export function addConfigFlags(command: Command, exclude: readonly SettingKey[] = []): Command {
  for (const [key, [env, fallback, , description]] of Object.entries(SETTINGS)) {
    if (exclude.includes(key as SettingKey)) continue;
    const shown = fallback === '' ? '' : `, default ${fallback}`;
    command.option(`--${kebab(key)} <value>`, `${description} (${env}${shown})`);
  }
  return command.option(
    '--origin <slug=url>',
    'point a catalog at another origin, e.g. linkedin=http://127.0.0.1:4010 (TASKWIRE_ORIGIN_<SLUG>); repeatable',
    (value: string, previous: string[] = []) => [...previous, value],
  );
}

/** The config from the environment with the flags `addConfigFlags` added on top. */
export function configFromFlags(
  flags: Record<string, unknown>,
  extra: Partial<Record<SettingKey, string>> = {},
): Config {
  const overrides: Partial<Record<SettingKey, string>> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const value = flags[key];
    if (typeof value === 'string') overrides[key] = value;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const pair of (flags.origin as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--origin takes slug=url, not '${pair}'.`);
    const slug = pair.slice(0, at).trim().toUpperCase().replace(/-/g, '_');
    env[`TASKWIRE_ORIGIN_${slug}`] = pair.slice(at + 1).trim();
  }
  return loadConfig(env, { ...overrides, ...extra });
}
