/** console: the console page (`GET /`) and `GET /healthz`, both without a token. */
import { consoleActions, type ConsoleDeps } from '../../lib/console/actions';
import { loadConfig } from '../../lib/core/config';
import { createLogger } from '../../lib/core/log';
import { createFcHandler } from '../../lib/fc/handler';

let deps: ConsoleDeps | undefined;

export const handler = createFcHandler<ConsoleDeps>({
  actions: consoleActions,
  makeDeps: () => (deps ??= { version: loadConfig().version }),
  log: createLogger({ fn: 'console' }),
});
