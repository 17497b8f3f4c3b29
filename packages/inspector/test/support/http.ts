import { request } from 'node:http';

/** A response as the tests look at it. */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request with exactly these headers (a browser would add Origin and Sec-Fetch-Site; here the test decides).
 * `path`, when given, is sent as it is, where the URL's own path would be normalized.
 */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; path?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ...(options.path !== undefined && { path: options.path }) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
