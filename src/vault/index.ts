// Public surface of the vault: identities, credentials, sealing, the master keys, rotation and
// sign-in through catalog login forms.
export { isCredentialType, parseCredentialData } from './credential-data.js';
export { markCredentialExpired, type NewCredential, touchCredentials } from './credential.repo.js';
export { type CredentialView, credentialView, type IdentityView } from './identity-view.js';
export {
  fixedKeyring,
  KEY_FILES,
  type Keyring,
  type KeyringSettings,
  openKeyring,
  usesKeyFile,
} from './keyring.js';
export { connectUrl, type LoginTarget } from './login-run.js';
export {
  createLogins,
  type LoginDeps,
  type LoginInput,
  type LoginResult,
  type Logins,
  type ReloginResult,
} from './login.service.js';
export {
  createProbes,
  PROBE_FAILED,
  type ProbeDeps,
  type Probes,
  type ProbeTarget,
  type ProbeVerdict,
  type Verification,
} from './probe.service.js';
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
