export { authorize, inScope, type Access, type Need, type Scoped } from './authorize';
export { generateToken, hashToken, safeEqual, tokenIdOf, TOKEN_PREFIX } from './tokens';
export {
  authenticate,
  createToken,
  listTokens,
  deleteToken,
  tokenView,
  who,
  type TokenRecord,
  type TokenRepo,
  type AuthDeps,
} from './service';
export { storeTokenRepo } from './repo';
export { authenticateBearer, authDepsOf, type BearerDeps } from './bearer';
export { tokenActions } from './actions';
