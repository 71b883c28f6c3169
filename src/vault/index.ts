// Public surface of the vault: identities, credentials, sealing, and the master key.
export { isCredentialType, parseCredentialData } from './credential-data.js';
export { loadMasterKey, type MasterKey } from './master-key.js';
export { seal, UnsealError, unseal } from './seal.js';
export {
  createVault,
  type CredentialView,
  type IdentityView,
  markCredentialExpired,
  touchCredentials,
  type NewCredential,
  type Vault,
} from './vault.service.js';
