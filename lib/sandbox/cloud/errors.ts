/**
 * Alibaba error codes the simulated resources answer with, in one place, with the HTTP status
 * and message text of the official API reference error tables.
 */
import { SandboxApiError } from '../openapi/types';

/** Generic "throw this code" helper. */
export const apiError = (code: string, status: number, message: string) => new SandboxApiError(code, status, message);

/** A mandatory parameter is missing (POP gateway wording). */
export const missing = (name: string) =>
  apiError(
    'MissingParameter',
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

/** A parameter value is outside its documented range or malformed. */
export const invalidParam = (name: string, code = 'InvalidParameter') =>
  apiError(code, 400, `The specified parameter "${name}" is not valid.`);

/** `<Kind>.NotFound` with status 404 (e.g. `InvalidVpcId.NotFound`). */
export const notFound = (code: string, message: string) => apiError(code, 404, message);

/** The answer to `DryRun=true` when the request would have succeeded. */
export const dryRunPassed = () =>
  apiError('DryRunOperation', 400, 'Request validation has been passed with DryRun flag set.');

export const regionNotFound = () => notFound('InvalidRegionId.NotFound', 'The specified RegionId does not exist.');
