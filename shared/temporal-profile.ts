// How to reach Temporal beyond host and namespace: TLS, an API key and gRPC headers, read the way every
// Temporal SDK and the `temporal` CLI read them (@temporalio/envconfig; variables in docs/production.md),
// so one temporal.toml serves this project, the `temporal` CLI and any other SDK alike.
import { existsSync, readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';

export interface TemporalProfile {
  /** Only when the profile or the environment names one; the caller applies its default. */
  address: string | undefined;
  namespace: string | undefined;
  /** true: TLS with the system's CAs; an object: custom CA, client certificate (mTLS) or server name. */
  tls: TLSConfig | boolean | undefined;
  apiKey: string | undefined;
  metadata: Record<string, string> | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the profile; a problem (unreadable file, unknown profile, missing certificate) is added to `problems`. */
export function readTemporalProfile(env: Env, problems: string[]): TemporalProfile {
  // Empty variables count as unset, as everywhere else in this project's configuration.
  const set = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));
  const empty: TemporalProfile = { address: undefined, namespace: undefined, tls: undefined, apiKey: undefined, metadata: undefined };
  // The SDK treats a missing file as "no file", which would silently connect without the TLS it holds.
  if (set.TEMPORAL_CONFIG_FILE !== undefined && !existsSync(set.TEMPORAL_CONFIG_FILE)) {
    problems.push(`TEMPORAL_CONFIG_FILE names a file that does not exist (${set.TEMPORAL_CONFIG_FILE})`);
    return empty;
  }
  const source = set.TEMPORAL_PROFILE ? `profile "${set.TEMPORAL_PROFILE}"` : 'the Temporal profile';
  try {
    // toClientOptions reads the certificate files, and turns TLS on for an API key unless it is switched off.
    // The SDK fails on a file without any profile (an empty one, say) with a TypeError; that file holds no settings.
    const noProfiles = set.TEMPORAL_CONFIG_FILE !== undefined && !/^\s*\[/m.test(readFileSync(set.TEMPORAL_CONFIG_FILE, 'utf8'));
    const profile = loadClientConfigProfile({ overrideEnvVars: set, configFileStrict: true, disableFile: noProfiles && !set.TEMPORAL_PROFILE });
    const { namespace, connectionOptions: options } = toClientOptions(profile);
    const metadata = options.metadata && Object.keys(options.metadata).length > 0 ? options.metadata : undefined;
    return {
      address: options.address,
      namespace,
      tls: options.tls ?? undefined,
      apiKey: options.apiKey as string | undefined,
      metadata: metadata as Record<string, string> | undefined,
    };
  } catch (error) {
    problems.push(`${source} cannot be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return empty;
  }
}
