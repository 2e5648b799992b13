/**
 * What a promise rejects with, for asserting on SDK errors (`code`, `statusCode`, `data`); throws
 * (failing the test) when the call succeeds instead.
 */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}
