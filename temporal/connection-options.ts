// The options every connection to Temporal is made with (client, worker, scripts), from one place, so
// TLS, an API key or extra gRPC headers configured once reach all of them.
import type { Config } from '../shared/config.ts';

/** Accepted as they are by both Connection (client) and NativeConnection (worker). */
export function connectionOptions(temporal: Config['temporal']) {
  const { tls, apiKey, metadata } = temporal.security;
  return { address: temporal.address, tls, apiKey, metadata };
}

/** Whether the connection is secured, for a line in the logs that says how the process connected. */
export function describeSecurity(temporal: Config['temporal']): string {
  const { tls, apiKey } = temporal.security;
  const parts = [tls === undefined || tls === false ? 'plaintext' : typeof tls === 'object' && tls.clientCertPair ? 'mTLS' : 'TLS'];
  if (apiKey) parts.push('API key');
  return parts.join(' + ');
}
