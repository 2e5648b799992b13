/**
 * The servers function's operations (docs/API.md §1 "Servers") and the provision function's one
 * action (`provision.step`: run one stage of a server's job). HTTP routes and direct-invoke actions.
 */
import type { Action } from '../core/action';
import { parseStep, runStep } from '../jobs';
import { getRelease, listOrphans, releaseOrphans } from './orphans-api';
import {
  createServer,
  deleteServer,
  getServer,
  listServers,
  retryServer,
  serverAction,
  serverJobs,
  type ServersDeps,
} from './service';

export function serverActions(): Action<ServersDeps>[] {
  return [
    {
      name: 'servers.create',
      http: { method: 'POST', path: '/v1/servers', status: 202 },
      run: (input, { principal, deps, http }) => {
        // Over HTTP the key is the Idempotency-Key header; a direct call passes `idempotencyKey`.
        const { idempotencyKey, ...body } = input;
        const key = http
          ? http.headers['idempotency-key']
          : typeof idempotencyKey === 'string'
            ? idempotencyKey
            : undefined;
        return createServer(http ? input : body, principal, deps, key);
      },
    },
    {
      name: 'servers.list',
      http: { method: 'GET', path: '/v1/servers' },
      run: (input, c) => listServers(input, c.principal, c.deps),
    },
    {
      name: 'servers.get',
      http: { method: 'GET', path: '/v1/servers/:id' },
      run: (input, c) => getServer(input.id, c.principal, c.deps),
    },
    {
      name: 'servers.retry',
      http: { method: 'POST', path: '/v1/servers/:id/retry', status: 202 },
      run: (input, c) => retryServer(input.id, c.principal, c.deps),
    },
    {
      name: 'servers.action',
      http: { method: 'POST', path: '/v1/servers/:id/actions', status: 202 },
      run: (input, c) => serverAction(input, c.principal, c.deps),
    },
    {
      name: 'servers.delete',
      http: { method: 'DELETE', path: '/v1/servers/:id', status: 202 },
      run: (input, c) => deleteServer(input, c.principal, c.deps),
    },
    {
      name: 'orphans.list',
      http: { method: 'GET', path: '/v1/orphans' },
      run: (input, c) => listOrphans(input, c.principal, c.deps),
    },
    {
      name: 'orphans.release',
      http: { method: 'POST', path: '/v1/orphans/release', status: 202 },
      run: (input, c) => releaseOrphans(input, c.principal, c.deps),
    },
    {
      name: 'orphans.releaseStatus',
      http: { method: 'GET', path: '/v1/orphans/releases/:id' },
      run: (input, c) => getRelease(input.id, c.principal, c.deps),
    },
  ];
}

/** `provision.step`: FC retries it on a retryable failure (a store hiccup); stage failures are the job's. */
export function provisionActions(): Action<ServersDeps>[] {
  return [
    {
      name: 'provision.step',
      throwRetryable: true,
      run: (input, c) =>
        runStep(parseStep(input), serverJobs(c.deps).registry, c.deps, {
          deadlineAtMs: c.deadlineAtMs,
          requestId: c.requestId,
        }),
    },
  ];
}
