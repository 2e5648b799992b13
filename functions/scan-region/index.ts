/** scan-region: scans one account and region per async invocation. A later issue builds it. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('asset inventory', [['scan.region']]);
