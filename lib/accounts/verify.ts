/**
 * Checking a credential (on every save) and auditing the permissions the product uses
 * (`POST /v1/accounts/{id}/verify`). Failures become data with a hint, not exceptions.
 */
import { isAppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { CloudClient } from '../cloud/types';
import { cloudErrorOf } from '../cloud/errors';
import type { Verification, VerificationError } from './model';

/**
 * An error met during verification, as stored on the account (no secret can be in it: codes and
 * our own words). The hint is the one `classify` gave the cloud error; a RAM denial names the
 * action from the classified error, never from message text.
 */
export function verificationError(e: unknown): VerificationError {
  const cloud = cloudErrorOf(e);
  if (cloud?.deniedAction) {
    return {
      code: cloud.code,
      message: `Alibaba Cloud refused ${cloud.deniedAction} for this credential`,
      hint: `${cloud.hint}: attach a RAM policy that allows it`,
    };
  }
  if (isAppError(e) && e.cloud)
    return {
      code: e.cloud.code,
      message: `Alibaba Cloud answered ${e.cloud.code}`,
      hint: e.cloud.hint ?? 'see the Alibaba Cloud error code',
    };
  if (isAppError(e))
    return {
      code: e.code,
      message: e.message,
      hint: e.retryable ? 'the cloud could not be reached; verify again later' : 'verify again, or contact support',
    };
  return { code: 'Internal', message: 'verification failed unexpectedly', hint: 'verify again later' };
}

/** True when the failure says nothing about the credential (network, outage): the account stays unverified. */
const isTransient = (e: unknown) =>
  isAppError(e) && (e.retryable || e.code === 'CloudUnavailable' || e.code === 'RateLimited');

/** The RAM actions a verification called, with their outcome (the audit does not call them again). */
export type ProbedActions = Partial<Record<'sts:GetCallerIdentity' | 'ecs:DescribeRegions', boolean>>;

/**
 * Who the credential really is (STS GetCallerIdentity; for a role, after AssumeRole), whether
 * that matches the Alibaba account id the user gave, and whether it may use ECS at all
 * (DescribeRegions): the three mistakes users make when adding an account. `probed` (optional)
 * receives which of those calls succeeded, so a following audit need not repeat them.
 */
export async function verifyCredential(
  client: CloudClient,
  expectedAccountId: string | undefined,
  clock: Clock,
  probed: ProbedActions = {},
): Promise<Verification> {
  try {
    const id = await client.sts.getCallerIdentity();
    probed['sts:GetCallerIdentity'] = true;
    const checkedAt = clock.now();
    const identity = { accountId: id.accountId, arn: id.arn };
    if (expectedAccountId && id.accountId !== expectedAccountId) {
      return {
        status: 'failed',
        checkedAt,
        identity,
        error: {
          code: 'AccountIdMismatch',
          message: `the credential belongs to Alibaba Cloud account ${id.accountId}, not ${expectedAccountId}`,
          hint: `use a credential of account ${expectedAccountId}, or change alibabaAccountId to ${id.accountId}`,
        },
      };
    }
    // Knowing who it is is not enough: the product needs ECS. A key without it fails now, not later.
    try {
      await client.ecs.describeRegions();
      probed['ecs:DescribeRegions'] = true;
    } catch (e) {
      if (!isTransient(e)) return { status: 'failed', checkedAt: clock.now(), identity, error: verificationError(e) };
    }
    return { status: 'verified', checkedAt: clock.now(), identity };
  } catch (e) {
    return { status: isTransient(e) ? 'unverified' : 'failed', checkedAt: clock.now(), error: verificationError(e) };
  }
}
