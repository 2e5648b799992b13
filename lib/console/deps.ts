/** The console function's deps: only the config it shows, so a cold start stays tiny. */
import { loadConfig } from '../core/config';
import { createLogger } from '../core/log';
import type { ConsoleDeps } from './actions';

let base: { version: string; level: ReturnType<typeof loadConfig>['logLevel'] } | undefined;

/**
 * Per-request deps of the console: no store and no cloud clients (the page and the health check
 * need neither). The config is read once per instance; the logger carries the request id.
 */
export function consoleDeps(
  ctx: { requestId?: string; function?: { name?: string } } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ConsoleDeps {
  const cfg = (base ??= (({ version, logLevel }) => ({ version, level: logLevel }))(loadConfig(env)));
  return {
    version: cfg.version,
    log: createLogger({ fn: ctx?.function?.name ?? 'console', requestId: ctx?.requestId }, { level: cfg.level }),
  };
}
