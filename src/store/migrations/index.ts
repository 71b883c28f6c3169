// The ordered, append-only list of migrations, imported statically so the built output
// needs no file globbing. Never edit a released migration; add the next number.
import type { Migration } from 'kysely';

import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-idempotency.js';
import * as m0003 from './0003-webhooks.js';
import * as m0004 from './0004-job-log.js';
import * as m0005 from './0005-job-files.js';
import * as m0006 from './0006-account-queue-index.js';
import * as m0007 from './0007-claim-function.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-idempotency': m0002,
  '0003-webhooks': m0003,
  '0004-job-log': m0004,
  '0005-job-files': m0005,
  '0006-account-queue-index': m0006,
  '0007-claim-function': m0007,
};
