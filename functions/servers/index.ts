/** servers: the server API (docs/API.md §1 "Servers"); answers 501 until provisioning is built. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('server provisioning', [
  ['servers.create', 'POST', '/v1/servers', 'create servers'],
  ['servers.list', 'GET', '/v1/servers', 'list servers'],
  ['servers.get', 'GET', '/v1/servers/:id', 'read servers'],
  ['servers.retry', 'POST', '/v1/servers/:id/retry', 'retry server builds'],
  ['servers.delete', 'DELETE', '/v1/servers/:id', 'delete servers'],
]);
