import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Html } from './html.js';

/** A request the inspector refuses, with the status to answer and a message for the person. */
export class InspectorRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'InspectorRequestError';
  }
}

/** Largest JSON body a write accepts: ids and a sequence id, nothing more. */
const MAX_BODY_BYTES = 16 * 1024;

/** Reads a JSON object body; 415 without a JSON content type (so a plain HTML form cannot post), 413 when too large. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new InspectorRequestError(415, 'writes take a JSON body (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new InspectorRequestError(413, 'request body too large');
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InspectorRequestError(400, 'the request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InspectorRequestError(400, 'the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A required string member of a body or query. */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InspectorRequestError(400, `${name} is required`);
  return value;
}

/** An optional non-negative integer parameter; `undefined` when absent or empty. */
export function optionalInteger(value: string | null | undefined | unknown, name: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0) throw new InspectorRequestError(400, `${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return number;
}

/** Sends an HTML page. */
export function sendHtml(res: ServerResponse, status: number, page: Html): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(page.text);
}

/** Sends JSON text (already encoded) or a value to encode. */
export function sendJson(res: ServerResponse, status: number, body: unknown, encoded = false): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(encoded ? (body as string) : JSON.stringify(body));
}

/** Sends a fixed asset with its content type. */
export function sendAsset(res: ServerResponse, contentType: string, body: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.end(body);
}
