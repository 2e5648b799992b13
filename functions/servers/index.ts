/** servers: the server API (docs/API.md §1 "Servers"). The provisioning domain is a later issue. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('server provisioning', [
  ['servers.create', 'POST', '/v1/servers'],
  ['servers.list', 'GET', '/v1/servers'],
  ['servers.get', 'GET', '/v1/servers/:id'],
  ['servers.retry', 'POST', '/v1/servers/:id/retry'],
  ['servers.delete', 'DELETE', '/v1/servers/:id'],
]);
