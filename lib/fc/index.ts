/** FC adapters' public surface: import from `lib/fc`. */
export type * from './types';
export {
  createFcHandler,
  classifyEvent,
  INVOKE_PRINCIPAL,
  TIMER_PRINCIPAL,
  type FcHandler,
  type FcHandlerOptions,
  type ParsedEvent,
} from './handler';
export { ANONYMOUS, MAX_BODY_BYTES, bearerToken } from './http';
export { createRouter, type Router, type RouteMatch } from './router';
export { createDeps, storeFor, type Deps } from './deps';
