/** Tablestore's error model: an OTS code, its HTTP status and a message, sent as protobuf `Error`. */
import { encodeMsg } from './proto';

export class OtsError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** Errors by the names Tablestore uses; statuses as its error-code reference lists them. */
export const ots = {
  authFailed: (m: string) => new OtsError('OTSAuthFailed', 403, m),
  parameterInvalid: (m: string) => new OtsError('OTSParameterInvalid', 400, m),
  objectNotExist: (m = 'Requested table does not exist.') => new OtsError('OTSObjectNotExist', 404, m),
  objectAlreadyExist: (m = 'Requested table already exists.') => new OtsError('OTSObjectAlreadyExist', 409, m),
  conditionCheckFail: (m = 'Condition check failed.') => new OtsError('OTSConditionCheckFail', 403, m),
  methodNotAllowed: () =>
    new OtsError('OTSMethodNotAllowed', 405, 'OTSMethodNotAllowedOnly POST method for requests is supported.'),
  tooLarge: () => new OtsError('OTSRequestBodyTooLarge', 413, 'The size of POST data is too large.'),
  internal: (m = 'Internal server error.') => new OtsError('OTSInternalServerError', 500, m),
};

/** The protobuf `Error{code, message}` body of an error response. */
export function errorBody(e: OtsError): Buffer {
  return encodeMsg('Error', { code: e.code, message: e.message });
}
