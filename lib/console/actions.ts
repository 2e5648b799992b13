/** The console function's operations: the page and the health check, both without a token. */
import type { Logger } from '../core/log';
import type { Action, RawHttpResponse } from '../core/action';
import { consolePage } from './page';

export interface ConsoleDeps {
  version: string;
  /** The adapter logs through it (one line per request). */
  log?: Logger;
}

export const health: Action<ConsoleDeps> = {
  name: 'health',
  http: { method: 'GET', path: '/healthz' },
  auth: false,
  async run(_input, ctx) {
    return { status: 'ok', version: ctx.deps.version };
  },
};

export const page: Action<ConsoleDeps> = {
  name: 'console.page',
  http: { method: 'GET', path: '/' },
  auth: false,
  async run(_input, ctx): Promise<RawHttpResponse> {
    return {
      rawHttp: true,
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        'x-content-type-options': 'nosniff',
      },
      body: consolePage(ctx.deps.version),
    };
  },
};

export const consoleActions: Action<ConsoleDeps>[] = [health, page];
