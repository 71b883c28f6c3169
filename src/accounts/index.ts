// Public surface of accounts: accounts and the API keys that authenticate them.
export { countAccounts, createAccount, getAccount, listAccounts } from './accounts.service.js';
export {
  type ApiKeySummary,
  authenticate,
  createApiKey,
  type CreatedKey,
  listApiKeys,
  type Principal,
  revokeApiKey,
  touchApiKey,
} from './api-keys.service.js';
export { createKeyVerifier, type KeyVerifier } from './key-verifier.js';
