/**
 * Timer triggers, run on their cron like FC does (as async invocations). With a time scale
 * below 1 the schedule runs on a fast virtual clock, so `@every 1m` at 0.01 fires every 600 ms.
 */
import { parseSchedule } from './cron';
import type { LocalFunction, TimerTrigger } from './syaml';

export interface TimerRunnerOptions {
  timeScale: number;
  fire: (fn: LocalFunction, trigger: TimerTrigger, event: Buffer) => void;
  /** Floor between two firings of one trigger in real time, so fast clocks cannot flood. Default 250. */
  minIntervalMs?: number;
  onError?: (fn: LocalFunction, trigger: TimerTrigger, e: Error) => void;
}

/** Starts every enabled timer trigger; returns a stop function. */
export function startTimers(functions: LocalFunction[], opts: TimerRunnerOptions): () => void {
  const realStart = Date.now();
  const scale = opts.timeScale > 0 ? opts.timeScale : 1;
  const virtualNow = () => realStart + (Date.now() - realStart) / scale;
  const handles = new Set<NodeJS.Timeout>();
  let stopped = false;
  for (const fn of functions) {
    for (const trigger of fn.timers) {
      if (!trigger.enable) continue;
      let schedule: ReturnType<typeof parseSchedule>;
      try {
        schedule = parseSchedule(trigger.cronExpression, realStart);
      } catch (e) {
        opts.onError?.(fn, trigger, e as Error);
        continue;
      }
      let lastDue = 0;
      let lastFire = 0;
      const arm = () => {
        if (stopped) return;
        // Timers may fire a little early: never schedule the same due time twice.
        const v = Math.max(virtualNow(), lastDue);
        const due = schedule.next(v);
        lastDue = due;
        const h = setTimeout(
          () => {
            handles.delete(h);
            if (stopped) return;
            lastFire = Date.now();
            const event = {
              triggerTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
              triggerName: trigger.name,
              payload: trigger.payload,
            };
            opts.fire(fn, trigger, Buffer.from(JSON.stringify(event)));
            arm();
          },
          Math.max(
            lastFire === 0 ? 1 : lastFire + (opts.minIntervalMs ?? 250) - Date.now(),
            (due - virtualNow()) * scale,
            1,
          ),
        );
        handles.add(h);
      };
      arm();
    }
  }
  return () => {
    stopped = true;
    for (const h of handles) clearTimeout(h);
    handles.clear();
  };
}
