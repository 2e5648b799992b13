/** inventory: scans and assets API plus the periodic scan timer. The scan domain is a later issue. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler(
  'asset inventory',
  [
    ['scans.start', 'POST', '/v1/scans'],
    ['scans.list', 'GET', '/v1/scans'],
    ['scans.get', 'GET', '/v1/scans/:id'],
    ['assets.list', 'GET', '/v1/assets'],
  ],
  () => ({ scansStarted: 0, note: 'periodic scans are not built yet' }),
);
