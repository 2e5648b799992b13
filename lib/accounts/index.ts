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
export { settingsActions, authenticateBearer, serviceDeps, type DomainDeps } from './actions';
export { changeIdFor, type ChangeRow, type FieldDiff, type Actor } from './changes';
