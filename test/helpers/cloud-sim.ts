/** Test helper for the cloud simulator unit tests (lib/sandbox/cloud driven through `harness()`). */
import * as assert from 'uvu/assert';
import { SandboxApiError } from '../../lib/sandbox/openapi/types';
import type { Harness } from '../../lib/sandbox/cloud/test-context';

/** The region most cases run in, as request params. */
export const R = { RegionId: 'cn-hangzhou' };

/** Asserts the call is refused with a SandboxApiError of `code`, and returns that error for further checks. */
export async function fails(p: Promise<unknown>, code: string): Promise<SandboxApiError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, SandboxApiError);
    assert.is((e as SandboxApiError).code, code);
    return e as SandboxApiError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

/** Moves the harness clock by `simulatedMs` of simulated time (scaled like the simulator's own waits). */
export const advance = (h: Harness, simulatedMs: number) => {
  h.clock.ms += simulatedMs * h.timeScale;
};
