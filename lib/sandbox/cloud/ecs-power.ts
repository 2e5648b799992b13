/**
 * ECS power: StopInstance (Running → Stopping → Stopped), StartInstance (Stopped → Starting →
 * Running) and RebootInstance (Running → Starting → Running, as its API page says). Any other
 * status answers `IncorrectInstanceStatus` (403), as their error tables list.
 */
import type { OpContext } from '../openapi/types';
import { dryRunGate } from './context';
import { apiError } from './errors';
import { incorrect, target } from './ecs-instances';

export function stopInstance(ctx: OpContext) {
  const { c, inst, status } = target(ctx);
  if (inst.op.kind === 'delete' || status !== 'Running') throw incorrect();
  dryRunGate(ctx);
  inst.op = { kind: 'stop', atMs: c.now };
  return {};
}

export function startInstance(ctx: OpContext) {
  const { c, inst, status } = target(ctx);
  if (inst.op.kind === 'delete' || status !== 'Stopped') throw incorrect();
  if (ctx.account.balanceInsufficient)
    throw apiError('InsufficientBalance', 403, 'Your account does not have enough balance.');
  dryRunGate(ctx);
  inst.op = { kind: 'start', atMs: c.now };
  return {};
}

export function rebootInstance(ctx: OpContext) {
  const { c, inst, status } = target(ctx);
  if (inst.op.kind === 'delete' || status !== 'Running') throw incorrect();
  dryRunGate(ctx);
  inst.op = { kind: 'reboot', atMs: c.now };
  return {};
}
