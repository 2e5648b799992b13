export * from './service';
export {
  accountView,
  maskKeyId,
  type AccountRecord,
  type AccountView,
  type StoredCredential,
  type Verification,
} from './model';
export { auditPermissions, type PermissionCheck } from './audit';
export { verifyCredential, verificationError } from './verify';
export { accountActions } from './actions';
export { loadAccount, openCredential, openPrivateKey, isAccountId, accountNotFound } from './read';
export { changeIdFor, type ChangeRow, type FieldDiff, type Actor } from './changes';
