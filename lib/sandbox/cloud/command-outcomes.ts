/**
 * What a Cloud Assistant run ends with. By default a script succeeds (exit 0, no output) after a
 * few simulated seconds; the admin API scripts other outcomes — an exit code, output, a run time
 * (longer than the command's Timeout gives `Timeout`) — for the next runs, matched by instance
 * and/or a substring of the script, so a test can make exactly one step fail.
 */
import { randomUUID } from 'node:crypto';
import { AdminError, type CloudAdminRoute } from '../openapi/types';
import { stateOf, type CloudState, type CommandOutcome } from './state';

/** Default simulated run time of a script (after its 1 s delivery). */
export const DEFAULT_RUN_MS = 4_000;
const MAX_OUTPUT = 1024 * 1024;

/** The first scripted outcome for this run (used up when counted), or the default success. */
export function takeOutcome(
  s: CloudState,
  instanceId: string,
  script: string,
): { exitCode: number; output: string; runMs: number } {
  const list = s.commandOutcomes ?? [];
  const o = list.find((x) => (!x.instanceId || x.instanceId === instanceId) && (!x.match || script.includes(x.match)));
  if (!o) return { exitCode: 0, output: '', runMs: DEFAULT_RUN_MS };
  if (o.remaining !== undefined) {
    o.remaining -= 1;
    if (o.remaining <= 0) s.commandOutcomes = list.filter((x) => x !== o);
  }
  return {
    exitCode: o.exitCode,
    output: o.output,
    runMs: o.durationSeconds === undefined ? DEFAULT_RUN_MS : Math.round(o.durationSeconds * 1000),
  };
}

function parse(input: Record<string, unknown>): CommandOutcome {
  const { exitCode = 0, output = '', durationSeconds, instanceId, match, count } = input;
  if (
    typeof exitCode !== 'number' ||
    !Number.isInteger(exitCode) ||
    exitCode < -2_147_483_648 ||
    exitCode > 2_147_483_647
  )
    throw new AdminError(400, 'exitCode must be a 32-bit integer');
  if (typeof output !== 'string' || Buffer.byteLength(output) > MAX_OUTPUT)
    throw new AdminError(400, `output must be a string of at most ${MAX_OUTPUT} bytes`);
  if (
    durationSeconds !== undefined &&
    (typeof durationSeconds !== 'number' || !(durationSeconds >= 0) || durationSeconds > 86_400)
  )
    throw new AdminError(400, 'durationSeconds must be 0..86400 (simulated seconds)');
  if (instanceId !== undefined && (typeof instanceId !== 'string' || !/^i-[a-z0-9]{1,40}$/.test(instanceId)))
    throw new AdminError(400, 'instanceId must be an instance id (i-…)');
  if (match !== undefined && (typeof match !== 'string' || !match || match.length > 1024))
    throw new AdminError(400, 'match must be a non-empty string of at most 1024 characters');
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1))
    throw new AdminError(400, 'count must be a positive integer');
  return {
    id: randomUUID(),
    exitCode,
    output,
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(instanceId !== undefined ? { instanceId } : {}),
    ...(match !== undefined ? { match } : {}),
    ...(count !== undefined ? { remaining: count } : {}),
  };
}

/** `POST` adds one outcome (first match wins, in the order added), `GET` lists, `DELETE` clears. */
export const commandOutcomesRoute: CloudAdminRoute = (account, method, input) => {
  const s = stateOf(account);
  if (method === 'POST') {
    const o = parse(input);
    s.commandOutcomes = [...(s.commandOutcomes ?? []), o];
    return o;
  }
  if (method === 'DELETE') {
    const cleared = s.commandOutcomes?.length ?? 0;
    s.commandOutcomes = [];
    return { cleared };
  }
  return { outcomes: s.commandOutcomes ?? [] };
};
