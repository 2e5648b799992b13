/**
 * The sandbox's clock: real time plus an offset that the admin API can move forward, or hold
 * still. Every simulated wait, STS lifetime and API rate window reads it, so a test can freeze
 * time, make calls, then advance it by simulated seconds instead of sleeping. Signature
 * timestamps and nonces use the real clock (the SDK signs with the machine's time).
 */
export interface ClockView {
  nowMs: number;
  realNowMs: number;
  offsetMs: number;
  frozen: boolean;
  timeScale: number;
}

export class SandboxClock {
  private frozenAtMs: number | undefined;

  constructor(
    private readonly base: () => number,
    private readonly timeScale: number,
    private offsetMs = 0,
  ) {}

  /** Sandbox time (epoch ms): what resources, STS and rate windows see. */
  readonly now = (): number => this.frozenAtMs ?? this.base() + this.offsetMs;

  /** The machine's time: what request signatures are checked against. */
  readonly real = (): number => this.base();

  /** Moves time forward by simulated seconds (× time scale in real ms), frozen or not. */
  advance(simulatedSeconds: number): void {
    const ms = Math.round(simulatedSeconds * 1000 * this.timeScale);
    if (this.frozenAtMs !== undefined) this.frozenAtMs += ms;
    else this.offsetMs += ms;
  }

  /** Holds time still (`true`) or lets it run again from where it stood (`false`). */
  freeze(on: boolean): void {
    if (on && this.frozenAtMs === undefined) this.frozenAtMs = this.now();
    if (!on && this.frozenAtMs !== undefined) {
      this.offsetMs = this.frozenAtMs - this.base();
      this.frozenAtMs = undefined;
    }
  }

  /** How far sandbox time is ahead of real time now (persisted, so a restart does not go back). */
  currentOffsetMs(): number {
    return this.now() - this.base();
  }

  view(): ClockView {
    return {
      nowMs: this.now(),
      realNowMs: this.base(),
      offsetMs: this.currentOffsetMs(),
      frozen: this.frozenAtMs !== undefined,
      timeScale: this.timeScale,
    };
  }
}
