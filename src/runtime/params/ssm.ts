/**
 * The AWS backend: SSM Parameter Store through `GetParameters`, in batches of at most 10 names
 * (the API limit) with `WithDecryption`, a bounded number of batches in flight, and jittered
 * backoff on throttling (Parameter Store allows ~40 TPS per account and region by default).
 */
import { GetParametersCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import { ExecutionError, ResourceError, type StratusError } from '../../../planner/errors.js';
import { mapLimit } from '../../util/limit.js';
import { classifyFailure, RetriesExhausted, withRetry, type FailureKind, type RetryOptions } from '../../util/retry.js';
import { chunk, missingParamsError, uniqueNames, type ParameterSource } from './source.js';

/** Parameter Store's default backoff: fewer, slower retries than S3's (its limit is ~40 TPS). */
const SSM_RETRY: RetryOptions = { maxAttempts: 5, baseMs: 100, capMs: 5_000 };

/** The most names one `GetParameters` call accepts. */
export const SSM_MAX_BATCH = 10;

/** Tuning for `SsmParameterSource`. */
export interface SsmParameterSourceOptions {
  /** Names per `GetParameters` call, 1..10 (default 10). */
  readonly batchSize?: number;
  /** Batches in flight at once (default 2), to stay well under the account TPS limit. */
  readonly concurrency?: number;
  /** Backoff for throttling and 5xx errors (default: 5 attempts, base 100 ms, cap 5 s). */
  readonly retry?: RetryOptions;
}

/**
 * Reads parameters from SSM Parameter Store, decrypting SecureStrings.
 * `client` may be a thunk so the SDK client is built only on first use and can be shared.
 *
 * @example
 * const params = new SsmParameterSource(new SSMClient({}));
 * const values = await params.get(['/stratus/prod/db-password']);
 */
export class SsmParameterSource implements ParameterSource {
  readonly #client: () => SSMClient;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #retry: RetryOptions;

  constructor(client: SSMClient | (() => SSMClient), opts: SsmParameterSourceOptions = {}) {
    this.#client = typeof client === 'function' ? client : () => client;
    this.#batchSize = opts.batchSize ?? SSM_MAX_BATCH;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1 || this.#batchSize > SSM_MAX_BATCH) {
      throw new ExecutionError(
        'PARAMS_BAD_OPTION',
        `batchSize must be an integer in 1..${SSM_MAX_BATCH}, got ${this.#batchSize}`,
        { batchSize: this.#batchSize },
      );
    }
    this.#concurrency = Math.max(1, Math.floor(opts.concurrency ?? 2));
    this.#retry = { ...SSM_RETRY, ...opts.retry };
  }

  /** Load `names`; all batches must succeed, and all missing names are reported together. */
  async get(names: readonly string[]): Promise<Map<string, string>> {
    const wanted = uniqueNames(names);
    const batches = chunk(wanted, this.#batchSize);
    const found = new Map<string, string>();
    const missing: string[] = [];
    await mapLimit(batches, this.#concurrency, async (batch) =>
      collect(batch, await this.#fetch(batch), found, missing),
    );
    if (missing.length > 0) {
      throw missingParamsError(
        'SSM Parameter Store',
        missing,
        'Create them in the account and region the job runs in, or fix the names; the role needs ssm:GetParameters (and kms:Decrypt for SecureString).',
      );
    }
    return new Map(wanted.map((n) => [n, found.get(n)!]));
  }

  async #fetch(batch: string[]): Promise<{ parameters: Parameter[]; invalid: string[] }> {
    try {
      const out = await withRetry(
        () => this.#client().send(new GetParametersCommand({ Names: batch, WithDecryption: true })),
        this.#retry,
      );
      return { parameters: out.Parameters ?? [], invalid: out.InvalidParameters ?? [] };
    } catch (e) {
      throw e instanceof RetriesExhausted
        ? toStratusError(e.kind, e.cause, e.attempts, batch)
        : toStratusError(classifyFailure(e), e, 1, batch);
    }
  }

  /** No client, no values: safe to log. */
  toJSON(): Record<string, unknown> {
    return { kind: 'ssm', batchSize: this.#batchSize, concurrency: this.#concurrency };
  }
}

/** Match returned parameters to requested names (by name or ARN, plus any `:version`/`:label` selector). */
function collect(
  batch: readonly string[],
  res: { parameters: Parameter[]; invalid: string[] },
  found: Map<string, string>,
  missing: string[],
): void {
  const byKey = new Map<string, string>();
  for (const p of res.parameters) {
    if (p.Value === undefined) continue;
    const sel = p.Selector ?? '';
    if (p.Name !== undefined) byKey.set(p.Name + sel, p.Value);
    if (p.ARN !== undefined) byKey.set(p.ARN + sel, p.Value);
  }
  for (const name of batch) {
    const v = byKey.get(name);
    if (v === undefined) missing.push(name);
    else found.set(name, v);
  }
}

function toStratusError(kind: FailureKind, error: unknown, attempts: number, batch: readonly string[]): StratusError {
  const last = (error ?? {}) as { name?: string; message?: string };
  const awsCode = last.name ?? 'Error';
  const details = { source: 'ssm', names: [...batch], attempts, awsCode };
  if (kind === 'throttled') {
    return new ResourceError(
      'PARAMS_THROTTLED',
      `SSM Parameter Store throttled GetParameters for ${batch.length} name(s) ${attempts} time(s) (${awsCode}). Lower the concurrency, raise the retry attempts, or enable higher Parameter Store throughput.`,
      details,
    );
  }
  if (kind === 'transient') {
    return new ExecutionError(
      'PARAMS_UNAVAILABLE',
      `SSM Parameter Store failed GetParameters ${attempts} time(s) (${awsCode}: ${last.message ?? ''}). Retry the job later.`,
      details,
    );
  }
  return new ExecutionError(
    'PARAMS_READ_FAILED',
    `SSM GetParameters failed (${awsCode}: ${last.message ?? ''}). Check the executor role allows ssm:GetParameters and kms:Decrypt, and the region.`,
    details,
  );
}
