// Time as the store writes it: ISO-8601 UTC with milliseconds and `Z`, so strings sort as time.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const isoNow = (clock: Clock = systemClock): string => clock.now().toISOString();

export const isoAfter = (ms: number, clock: Clock = systemClock): string =>
  new Date(clock.now().getTime() + ms).toISOString();
