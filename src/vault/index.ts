// Public surface of the vault: identities, credentials, sealing, the master keys and rotation.
export { isCredentialType, parseCredentialData } from './credential-data.js';
export { markCredentialExpired, type NewCredential, touchCredentials } from './credential.repo.js';
export type { CredentialView, IdentityView } from './identity-view.js';
export {
  fixedKeyring,
  KEY_FILES,
  type Keyring,
  type KeyringSettings,
  openKeyring,
  usesKeyFile,
} from './keyring.js';
export { generateMasterKey, loadMasterKey, type MasterKey, parseMasterKey } from './master-key.js';
export {
  rewrapCredentials,
  type RewrapOptions,
  type RewrapReport,
  rotateMasterKey,
  type RotationReport,
  type RotationTarget,
} from './rotation.service.js';
export { credentialAad, rewrap, seal, UnsealError, unseal } from './seal.js';
export { createVault, type IdentityChanges, type Vault } from './vault.service.js';
