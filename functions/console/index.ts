/** console: the console page (`GET /`) and `GET /healthz`, both without a token. */
import { consoleActions, type ConsoleDeps } from '../../lib/console/actions';
import { loadConfig } from '../../lib/core/config';
import { createLogger } from '../../lib/core/log';
import { createFcHandler } from '../../lib/fc/handler';

let base: { version: string; level: ReturnType<typeof loadConfig>['logLevel'] } | undefined;

export const handler = createFcHandler<ConsoleDeps>({
  actions: consoleActions,
  makeDeps: (ctx) => {
    // Only the config is needed: no store, no cloud clients, so a cold start stays tiny.
    const cfg = (base ??= (({ version, logLevel }) => ({ version, level: logLevel }))(loadConfig()));
    return { version: cfg.version, log: createLogger({ fn: ctx?.function?.name ?? 'console', requestId: ctx?.requestId }, { level: cfg.level }) };
  },
});
