/**
 * CLI configuration: flags over environment variables over a config file over defaults, one
 * function for every command. AWS credentials, profiles and regions are the SDK's usual chain
 * (`AWS_PROFILE`, `AWS_REGION`, ~/.aws); `--profile` and `--region` set them for this run.
 *
 *   flag              environment                   config file (stratus.config.json)
 *   --store           STRATUS_STORE                 store
 *   --endpoint        STRATUS_ENDPOINT              endpoint
 *   --target          STRATUS_TARGET                target ('local' | 'aws')
 *   --stack           STRATUS_STACK                 stack
 *   --state-machine   STRATUS_STATE_MACHINE_ARN     stateMachineArn
 *   --region          AWS_REGION                    region
 *   --profile         AWS_PROFILE                   profile
 *   --executors       STRATUS_EXECUTORS             executors
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PlanError } from '../../planner/errors.js';

export type Target = 'local' | 'aws';

export interface CliConfig {
  readonly target: Target;
  /** The job store URL (a local directory, or `s3://bucket/prefix`); on AWS, from the stack when not given. */
  readonly store?: string;
  readonly endpoint?: string;
  readonly stack?: string;
  readonly stateMachineArn?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly executors?: number;
}

/** The flags every command accepts (commander's option names). */
export interface ConfigFlags {
  readonly config?: string;
  readonly target?: string;
  readonly store?: string;
  readonly endpoint?: string;
  readonly stack?: string;
  readonly stateMachine?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly executors?: string;
}

export const CONFIG_FILE = 'stratus.config.json';

const FILE_KEYS: readonly (keyof CliConfig)[] = [
  'target',
  'store',
  'endpoint',
  'stack',
  'stateMachineArn',
  'region',
  'profile',
  'executors',
];

/** Resolve the configuration of one run; bad values fail naming the flag, variable or file at fault. */
export function resolveConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): CliConfig {
  const file = readConfigFile(flags.config, env, cwd);
  const pick = (flag: string | undefined, envName: string, key: keyof CliConfig): string | undefined =>
    flag ?? env[envName] ?? (file[key] === undefined ? undefined : String(file[key]));
  const target = pick(flags.target, 'STRATUS_TARGET', 'target') ?? 'local';
  if (target !== 'local' && target !== 'aws')
    throw new PlanError('BAD_ARGUMENT', `unknown target '${target}'; use 'local' or 'aws'`, { target });
  const executorsText = pick(flags.executors, 'STRATUS_EXECUTORS', 'executors');
  const executors = executorsText === undefined ? undefined : Number(executorsText);
  if (executors !== undefined && !(Number.isInteger(executors) && executors > 0))
    throw new PlanError('BAD_ARGUMENT', `executors must be a positive integer, got '${executorsText}'`, {
      executors: executorsText,
    });
  const store = pick(flags.store, 'STRATUS_STORE', 'store');
  const out: CliConfig = {
    target,
    ...defined('store', store === undefined || store.startsWith('s3://') ? store : path.resolve(cwd, store)),
    ...defined('endpoint', pick(flags.endpoint, 'STRATUS_ENDPOINT', 'endpoint')),
    ...defined('stack', pick(flags.stack, 'STRATUS_STACK', 'stack')),
    ...defined('stateMachineArn', pick(flags.stateMachine, 'STRATUS_STATE_MACHINE_ARN', 'stateMachineArn')),
    ...defined('region', pick(flags.region, 'AWS_REGION', 'region')),
    ...defined('profile', pick(flags.profile, 'AWS_PROFILE', 'profile')),
    ...(executors !== undefined ? { executors } : {}),
  };
  return out;
}

function defined<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function readConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Record<string, unknown> {
  const given = flag ?? env.STRATUS_CONFIG;
  const file = path.resolve(cwd, given ?? CONFIG_FILE);
  if (!existsSync(file)) {
    if (given) throw new PlanError('BAD_ARGUMENT', `config file '${file}' does not exist`, { config: file });
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PlanError('BAD_ARGUMENT', `config file '${file}' is not valid JSON: ${(e as Error).message}`, {
      config: file,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new PlanError('BAD_ARGUMENT', `config file '${file}' must hold a JSON object`, { config: file });
  for (const key of Object.keys(parsed))
    if (!FILE_KEYS.includes(key as keyof CliConfig))
      throw new PlanError(
        'BAD_ARGUMENT',
        `config file '${file}': unknown key '${key}'; keys are ${FILE_KEYS.join(', ')}`,
        {
          config: file,
          key,
        },
      );
  return parsed as Record<string, unknown>;
}
