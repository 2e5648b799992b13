/**
 * Builds the Tablestore SDK client. Same code for real Tablestore and the sandbox: only endpoint,
 * instance and credentials differ (docs/DESIGN.md principle 1).
 */
import http from 'node:http';
import https from 'node:https';
import { loadSdk, type SdkClient } from './sdk';

export interface TablestoreCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS token of the function role (`context.credentials.securityToken`). */
  securityToken?: string;
}

export interface TablestoreClientOptions {
  /** `https://<instance>.<region>.ots.aliyuncs.com` or the sandbox `http://127.0.0.1:9100`. */
  endpoint: string;
  instance: string;
  credentials: TablestoreCredentials;
  /** Per-request socket timeout (default 10 s). */
  timeoutMs?: number;
}

/**
 * SDK retries. The SDK copies `maxRetries` into a process-global retry policy on every request,
 * so every client in the process must agree: this constant is the only value the product passes.
 * Kept low because the callers (FC async retries, the sweeper) retry at a higher level.
 */
export const SDK_MAX_RETRIES = 2;

let agents: { http: http.Agent; https: https.Agent } | undefined;

/**
 * Keep-alive agents shared by every client in the process: the SDK's own HTTPS agent opens a new
 * TLS connection per request. Idle sockets are dropped after 15 s, before servers (or an FC
 * freeze) leave them half-closed.
 */
function agentFor(endpoint: string): http.Agent {
  agents ??= {
    http: new http.Agent({ keepAlive: true, timeout: 15_000, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, timeout: 15_000, scheduling: 'lifo', rejectUnauthorized: true }),
  };
  return endpoint.startsWith('https:') ? agents.https : agents.http;
}

/** A Tablestore client (loads the SDK on first call). */
export async function createTablestoreClient(opts: TablestoreClientOptions): Promise<SdkClient> {
  const sdk = await loadSdk();
  const { accessKeyId, accessKeySecret, securityToken } = opts.credentials;
  const options: Record<string, unknown> = {
    accessKeyId,
    accessKeySecret,
    endpoint: opts.endpoint,
    instancename: opts.instance,
    maxRetries: SDK_MAX_RETRIES,
    httpOptions: { timeout: opts.timeoutMs ?? 10_000, agent: agentFor(opts.endpoint) },
  };
  if (securityToken) options.stsToken = securityToken;
  return new sdk.Client(options);
}
