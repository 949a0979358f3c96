/**
 * Fields a handler adds to its request's access-log line (handler.ts writes the line when the
 * response ends), e.g. the gateway's upstream status, latency and request id.
 */
import type { ServerResponse } from 'node:http';

const fields = new WeakMap<ServerResponse, Record<string, unknown>>();

export function addLogFields(res: ServerResponse, extra: Record<string, unknown>): void {
  fields.set(res, { ...fields.get(res), ...extra });
}

export function logFieldsOf(res: ServerResponse): Record<string, unknown> | undefined {
  return fields.get(res);
}
