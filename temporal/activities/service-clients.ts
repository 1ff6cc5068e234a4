// One axios instance and one circuit breaker per service and worker, shared by every activity call: connections
// are pooled (keep-alive), and an outage seen by one run's calls spares the others the wait.
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { ServiceName } from '../../shared/contract.ts';
import { ServiceBreaker } from './circuit-breaker.ts';

/** Per-request HTTP timeout: shorter than the activities' 10 s start-to-close timeout, so the activity
 *  sees a clear "no answer within 8000 ms" instead of being timed out by Temporal mid-call. */
export const HTTP_TIMEOUT_MS = 8_000;

export interface ServiceClient {
  name: ServiceName;
  baseUrl: string;
  http: AxiosInstance;
  breaker: ServiceBreaker;
}

export type ServiceClients = Record<ServiceName, ServiceClient>;

/** `token`: the services' shared secret (SERVICE_TOKEN), sent with every call when given. */
export function createServiceClients(urls: Record<ServiceName, string>, token?: string): ServiceClients {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  const client = (name: ServiceName): ServiceClient => ({
    name,
    baseUrl: urls[name],
    breaker: new ServiceBreaker(name),
    http: axios.create({
      baseURL: urls[name],
      timeout: HTTP_TIMEOUT_MS,
      httpAgent,
      httpsAgent,
      headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
      // Redirects would hide a misconfigured SERVER_*_URL; fail instead.
      maxRedirects: 0,
      // Bodies are parsed (and checked) by callService, so a non-JSON answer is reported, not guessed at.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    }),
  });
  return { 'server-a': client('server-a'), 'server-b': client('server-b') };
}
