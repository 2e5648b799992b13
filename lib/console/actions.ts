/** The console function's operations: the page, its assets and the health check, all without a token. */
import { AppError } from '../core/errors';
import type { Logger } from '../core/log';
import type { Action, RawHttpResponse } from '../core/action';
import { consolePage } from './page';
import { consoleAssets } from './ui-assets';

export interface ConsoleDeps {
  version: string;
  /** The adapter logs through it (one line per request). */
  log?: Logger;
}

/**
 * Only same-origin script, styles and icon; the API the only thing fetched. Trusted Types with no
 * policy make every HTML sink (innerHTML, document.write, …) throw: the page can only draw text.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers of every console answer (page and assets). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

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
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body: consolePage(ctx.deps.version, consoleAssets()),
    };
  },
};

export const asset: Action<ConsoleDeps> = {
  name: 'console.asset',
  http: { method: 'GET', path: '/assets/:name' },
  auth: false,
  async run(input): Promise<RawHttpResponse> {
    const a = consoleAssets().find((x) => x.name === input.name);
    if (!a) throw new AppError('NotFound', 'no such console asset');
    return {
      rawHttp: true,
      statusCode: 200,
      // The name carries the content's hash: a new build is a new URL, so this one never changes.
      headers: {
        ...SECURITY_HEADERS,
        'content-type': a.contentType,
        'cache-control': 'public, max-age=31536000, immutable',
      },
      body: a.body,
    };
  },
};

export const consoleActions: Action<ConsoleDeps>[] = [health, page, asset];
