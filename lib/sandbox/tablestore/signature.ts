/**
 * Request authentication as Tablestore does it: required headers, the AccessKey, the STS token,
 * `x-ots-signature` (base64 HMAC-SHA1 of "/Op\nPOST\n\n" + sorted x-ots-* headers) and the body MD5.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ots } from './errors';

export type ResolveSecret = (accessKeyId: string) => { secret: string; securityToken?: string } | undefined;

const MAX_SKEW_MS = 15 * 60 * 1000;
const REQUIRED = [
  'x-ots-date',
  'x-ots-apiversion',
  'x-ots-accesskeyid',
  'x-ots-instancename',
  'x-ots-contentmd5',
  'x-ots-signature',
];

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The string the SDK signs for this request (exported for tests that sign by hand). */
export function stringToSign(path: string, method: string, headers: Record<string, string>): string {
  const lines = Object.keys(headers)
    .filter((h) => /^x-ots-/i.test(h) && h.toLowerCase() !== 'x-ots-signature')
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
    .map((h) => `${h.toLowerCase()}:${headers[h]}`);
  return `${path}\n${method}\n\n${lines.join('\n')}\n`;
}

/** base64 HMAC-SHA1, as the SDK signs. */
export function sign(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks a request's credentials and body digest; throws the OtsError Tablestore would answer. */
export function verifyRequest(
  req: IncomingMessage,
  body: Buffer,
  resolve: ResolveSecret,
): { accessKeyId: string; instance: string } {
  if (req.method !== 'POST') throw ots.methodNotAllowed();
  for (const h of REQUIRED) if (!header(req, h)) throw ots.parameterInvalid(`Missing header: '${h}'.`);
  const date = header(req, 'x-ots-date')!;
  const at = Date.parse(date);
  if (Number.isNaN(at)) throw ots.parameterInvalid(`Invalid date format: ${date}.`);
  // Real time, not a simulated clock: the SDK stamps requests with the machine's clock.
  if (Math.abs(Date.now() - at) > MAX_SKEW_MS)
    throw ots.authFailed(`Mismatch between system time and x-ots-date: ${date}.`);
  const accessKeyId = header(req, 'x-ots-accesskeyid')!;
  const key = resolve(accessKeyId);
  if (!key) throw ots.authFailed('The AccessKeyID does not exist.');
  const token = header(req, 'x-ots-ststoken');
  if ((key.securityToken ?? '') !== (token ?? '')) {
    throw ots.authFailed(token ? 'The security token you provided is invalid.' : "Missing header: 'x-ots-ststoken'.");
  }
  const headers: Record<string, string> = {};
  for (const name of Object.keys(req.headers)) if (name.startsWith('x-ots-')) headers[name] = header(req, name)!;
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const expected = sign(key.secret, stringToSign(path, 'POST', headers));
  if (!same(expected, header(req, 'x-ots-signature')!)) throw ots.authFailed('Signature mismatch.');
  const md5 = createHash('md5').update(body).digest('base64');
  if (!same(md5, header(req, 'x-ots-contentmd5')!)) {
    throw ots.authFailed('Mismatch between MD5 value of request body and x-ots-contentmd5 in header.');
  }
  return { accessKeyId, instance: header(req, 'x-ots-instancename')! };
}
