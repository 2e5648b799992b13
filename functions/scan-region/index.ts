/** scan-region: scans one account and region per async invocation; answers NotImplemented until scanning is built. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('asset inventory', [['scan.region']]);
