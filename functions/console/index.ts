/** console: the console page (`GET /`) and `GET /healthz`, both without a token. */
import { consoleActions } from '../../lib/console/actions';
import { consoleDeps } from '../../lib/console/deps';
import { createFcHandler } from '../../lib/fc/handler';

export const handler = createFcHandler({ actions: consoleActions, makeDeps: (ctx) => consoleDeps(ctx) });
