/** The inventory domain: scans (lib/jobs workflows), assets and their history. */
export { inventoryActions, scanRegionActions, onPeriodicScan } from './actions';
export type { InventoryDeps } from './deps';
export { inventoryWorkflowsOf as inventoryWorkflows, addInventoryWorkflows } from './scan';
