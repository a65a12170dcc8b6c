/** Response bodies in Propel's documented error shape (rest-v2/core-concepts/errors). */
import { STATUS_CODES } from 'node:http';

export interface PropelErrorBody {
  error: {
    code?: number;
    status: number;
    type: string;
    messages: string[];
    moreInfo?: string;
  };
}

function body(code: number | undefined, status: number, type: string, messages: string[]): PropelErrorBody {
  return {
    error: {
      ...(code === undefined ? {} : { code }),
      status,
      type,
      messages,
      ...(code === undefined ? {} : { moreInfo: `https://www.propel.us/docs/errors/${code}` }),
    },
  };
}

export const propelErrors = {
  invalidJson: (detail: string): PropelErrorBody => body(10005, 400, 'InvalidJSONPayload', [detail]),
  schema: (messages: string[]): PropelErrorBody => body(10007, 400, 'SchemaValidationException', messages),
  notFound: (what: string): PropelErrorBody => body(10008, 404, 'NotFound', [what]),
  /**
   * Statuses whose body Propel does not document (401, 413, 429, injected 5xx): same shape,
   * no code, since inventing a code would invite clients to depend on it.
   */
  undocumented: (status: number, message: string): PropelErrorBody =>
    body(undefined, status, (STATUS_CODES[status] ?? 'Error').replace(/[^A-Za-z]/g, ''), [message]),
};
