/**
 * How long a stage waits before looking again, fitted to each cloud transition: the first look
 * comes when the transition usually ends (Alibaba's documented or observed times; the sandbox
 * uses the same), then short looks while it runs late, then longer ones. One invocation per
 * look, and none paid for while waiting (docs/DESIGN.md principle 4).
 */

/** Milliseconds to wait before look number `n + 1`, by transition; the last value repeats. */
export const POLLS = {
  /** CreateVpc: Pending → Available in a few seconds. */
  vpcAvailable: [4_000, 1_000, 1_000, 2_000, 5_000, 10_000],
  /** CreateVSwitch: Pending → Available. */
  vSwitchAvailable: [2_500, 1_000, 1_000, 2_000, 5_000, 10_000],
  /** RunInstances → Running: Pending then Starting, usually under 30 s. */
  instanceRunning: [18_000, 1_000, 2_000, 2_000, 5_000, 10_000, 30_000],
  /** AssociateEipAddress: Associating → InUse. */
  eipInUse: [2_000, 1_000, 1_000, 2_000, 5_000],
  /** CreateRouteEntry: Pending → Available (~1–2 s). */
  routeAvailable: [1_500, 1_000, 1_000, 2_000, 5_000],
  /** Another route change holds the VPC. */
  routeLock: [1_000, 2_000, 2_000, 5_000],
  /** Another build creates the shared network. */
  sharedLock: [1_000, 2_000, 5_000],
  /** Cloud Assistant: a script runs seconds to minutes. */
  command: [3_000, 2_000, 5_000, 10_000, 30_000],
  /** StartInstance / RebootInstance → Running. */
  instanceStarted: [8_000, 1_000, 2_000, 5_000, 10_000],
  /** StopInstance → Stopped. */
  instanceStopped: [5_000, 1_000, 2_000, 5_000, 10_000],
  /** DeleteInstance → gone. */
  instanceGone: [5_000, 1_000, 2_000, 5_000, 10_000],
  /** Unassociate / release EIP, delete VSwitch / VPC / route: seconds. */
  networkGone: [1_500, 1_000, 2_000, 5_000, 10_000],
  /** DependencyViolation: something still uses it (an instance being deleted, an ENI). */
  dependency: [3_000, 5_000, 10_000, 20_000, 30_000],
} as const;

export type Transition = keyof typeof POLLS;

/** The wait before the next look, given how many looks this stage has had (`attempt`, 1 on the first run). */
export function pollMs(t: Transition, attempt: number): number {
  const seq = POLLS[t];
  return seq[Math.min(Math.max(0, attempt - 1), seq.length - 1)]!;
}

/** A stage result that looks again later. */
export const waitFor = (t: Transition, attempt: number, why: string) => ({ wait: { ms: pollMs(t, attempt), why } });

/** `waitFor` that also keeps `progress` on the stage for its next run. */
export const waitWith = (progress: unknown, t: Transition, attempt: number, why: string) => ({
  wait: { ms: pollMs(t, attempt), why, progress },
});
