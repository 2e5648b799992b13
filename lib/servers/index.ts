export { serverActions, provisionActions } from './actions';
export { serverJobs, type ServersDeps } from './service';
export { serverWorkflows, PROVISION, resourcesOf } from './workflows';
export { serverView, LIVE_STATUSES, type ServerRecord, type ServerSpec, type ServerStatus } from './model';
export { TAG_MANAGED, TAG_SERVER, TAG_SHARED } from './activities';
export { sweepOrphans, scanOrphans, findOrphans } from './orphans';
