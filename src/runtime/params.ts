/**
 * Parameter Store: the secrets and settings a job names, loaded from SSM Parameter Store on
 * AWS or from a local file/environment, behind one `ParameterSource` interface, with a
 * per-instance cache and a `redact` helper. Values go only to the caller — never into errors,
 * logs, JSON or plans.
 *
 * Pieces: `params/source.ts` (contract), `params/ssm.ts`, `params/local.ts` (backends),
 * `params/cache.ts` (TTL cache), `params/redact.ts`; backoff is `src/util/retry.ts`, shared with S3.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { ExecutionError } from '../../planner/errors.js';
import { LocalParameterSource, type LocalParameterSourceOptions } from './params/local.js';
import type { ParameterSource } from './params/source.js';
import { SsmParameterSource, type SsmParameterSourceOptions } from './params/ssm.js';

export type { ParameterSource } from './params/source.js';
export { SsmParameterSource, SSM_MAX_BATCH, type SsmParameterSourceOptions } from './params/ssm.js';
export {
  LocalParameterSource,
  envVarFor,
  DEFAULT_PARAMS_FILE,
  type LocalParameterSourceOptions,
} from './params/local.js';
export { ParameterCache, DEFAULT_PARAMS_TTL_MS, type ParameterCacheOptions } from './params/cache.js';
export { redact, redactValue, REDACTED } from './params/redact.js';
export { classifyFailure, type RetryOptions, type FailureKind } from '../util/retry.js';

/** Options of the SSM backend when built by `parameterSourceFor`. */
export interface SsmFactoryOptions extends SsmParameterSourceOptions {
  /** A client to use instead of the shared, lazily built one. */
  readonly client?: SSMClient;
  /** Region of the shared client (default: the SDK's resolution, e.g. `AWS_REGION`). */
  readonly region?: string;
}

/** Options per backend kind. */
export interface ParameterSourceOptionsByKind {
  readonly ssm: SsmFactoryOptions;
  readonly local: LocalParameterSourceOptions;
}

/** The parameter backends: `'local'` (the default off AWS) and `'ssm'`. */
export type ParameterSourceKind = keyof ParameterSourceOptionsByKind;

const factories: { [K in ParameterSourceKind]: (opts: ParameterSourceOptionsByKind[K]) => ParameterSource } = {
  ssm: (opts) => new SsmParameterSource(opts.client ?? (() => sharedSsmClient(opts.region)), opts),
  local: (opts) => new LocalParameterSource(opts),
};

/**
 * Build the parameter source for a backend kind. For `'ssm'` the SDK client is built on the
 * first `get`, once per region per instance, and shared by every source.
 *
 * @example
 * const source = parameterSourceFor(config.params, { region: 'eu-west-1' });
 */
export function parameterSourceFor<K extends ParameterSourceKind>(
  kind: K,
  opts?: ParameterSourceOptionsByKind[K],
): ParameterSource {
  const make = factories[kind] as ((o: ParameterSourceOptionsByKind[K]) => ParameterSource) | undefined;
  if (make === undefined) {
    throw new ExecutionError(
      'PARAMS_UNKNOWN_SOURCE',
      `unknown parameter source '${String(kind)}'; use one of ${Object.keys(factories).join(', ')}.`,
      { kind },
    );
  }
  return make(opts ?? ({} as ParameterSourceOptionsByKind[K]));
}

const ssmClients = new Map<string, SSMClient>();

/**
 * The instance-wide SSM client for `region`, built on first use and reused across warm
 * invocations. SDK retries are off (`maxAttempts: 1`): `SsmParameterSource` retries with its
 * own backoff, so throttling is not retried twice over.
 */
export function sharedSsmClient(region?: string): SSMClient {
  const key = region ?? '';
  let client = ssmClients.get(key);
  if (client === undefined) {
    client = new SSMClient(region === undefined ? { maxAttempts: 1 } : { maxAttempts: 1, region });
    ssmClients.set(key, client);
  }
  return client;
}

/** Drop the shared SSM clients (tests; or when credentials or region change). */
export function resetSharedSsmClients(): void {
  for (const c of ssmClients.values()) c.destroy();
  ssmClients.clear();
}
