// JSON columns are text on both dialects; reading one back yields `unknown` until parsed.
export const toJson = (value: unknown): string => JSON.stringify(value);

export function fromJson(text: string | null): unknown {
  if (text === null) return undefined;
  return JSON.parse(text) as unknown;
}
