/** inventory: scans and assets API plus the periodic scan timer; answers 501 until scanning is built. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler(
  'asset inventory',
  [
    ['scans.start', 'POST', '/v1/scans', 'start scans'],
    ['scans.list', 'GET', '/v1/scans', 'list scans'],
    ['scans.get', 'GET', '/v1/scans/:id', 'read scans'],
    ['assets.list', 'GET', '/v1/assets', 'list assets'],
  ],
  () => ({ scansStarted: 0, note: 'periodic scans are not built yet' }),
);
