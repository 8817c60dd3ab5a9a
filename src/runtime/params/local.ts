/**
 * The local backend (the default off AWS): parameters from a JSON file mapping name → value,
 * falling back to `STRATUS_PARAM_<NAME>` environment variables.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExecutionError } from '../../../planner/errors.js';
import { missingParamsError, uniqueNames, type ParameterSource } from './source.js';

/** The params file used when neither the option nor `STRATUS_PARAMS_FILE` names one. */
export const DEFAULT_PARAMS_FILE = '.stratus/params.json';

/** Where `LocalParameterSource` looks. */
export interface LocalParameterSourceOptions {
  /** The JSON file (default: env `STRATUS_PARAMS_FILE`, else `.stratus/params.json`). */
  readonly file?: string;
  /** Environment to read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory a relative file path is resolved against (default `process.cwd()`). */
  readonly cwd?: string;
}

/**
 * The environment variable that holds parameter `name`: non-alphanumerics become `_`, upper-cased.
 *
 * @example
 * envVarFor('/prod/db-password') // 'STRATUS_PARAM__PROD_DB_PASSWORD'
 */
export function envVarFor(name: string): string {
  return `STRATUS_PARAM_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/**
 * Reads parameters from a local JSON file (`{ "name": "value" }`), then from the environment.
 * The file is read on every `get` (wrap in a `ParameterCache` to cache); a missing file is empty.
 *
 * @example
 * // .stratus/params.json: { "db/password": "..." }   or   STRATUS_PARAM_DB_PASSWORD=...
 * const values = await new LocalParameterSource().get(['db/password']);
 */
export class LocalParameterSource implements ParameterSource {
  /** The resolved path of the params file. */
  readonly file: string;
  readonly #env: Readonly<Record<string, string | undefined>>;

  constructor(opts: LocalParameterSourceOptions = {}) {
    this.#env = opts.env ?? process.env;
    this.file = path.resolve(
      opts.cwd ?? process.cwd(),
      opts.file ?? this.#env.STRATUS_PARAMS_FILE ?? DEFAULT_PARAMS_FILE,
    );
  }

  /** Load `names` from the file, else the environment; rejects naming every missing one. */
  async get(names: readonly string[]): Promise<Map<string, string>> {
    const wanted = uniqueNames(names);
    const fromFile = wanted.length > 0 ? await this.#readFile() : {};
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const name of wanted) {
      const v = Object.hasOwn(fromFile, name) ? fromFile[name] : this.#env[envVarFor(name)];
      if (v === undefined) missing.push(name);
      else out.set(name, v);
    }
    if (missing.length > 0) {
      const vars = missing.map(envVarFor);
      throw missingParamsError('local parameters', missing, `Add them to ${this.file} or set ${vars.join(', ')}.`, {
        file: this.file,
        envVars: vars,
      });
    }
    return out;
  }

  async #readFile(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new ExecutionError(
        'PARAMS_FILE_UNREADABLE',
        `cannot read params file ${this.file}: ${(e as Error).message}`,
        { file: this.file },
      );
    }
    return parseParamsFile(text, this.file);
  }

  /** The file path only: safe to log. */
  toJSON(): Record<string, unknown> {
    return { kind: 'local', file: this.file };
  }
}

/** Parse and check the file; errors name the file and key, never quote its content. */
function parseParamsFile(text: string, file: string): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ExecutionError(
      'PARAMS_FILE_INVALID',
      `params file ${file} is not valid JSON; it must be an object mapping names to string values.`,
      { file },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ExecutionError(
      'PARAMS_FILE_INVALID',
      `params file ${file} must hold a JSON object mapping names to string values.`,
      { file },
    );
  }
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') {
      throw new ExecutionError(
        'PARAMS_FILE_INVALID',
        `params file ${file}: the value of '${k}' must be a string (got ${Array.isArray(v) ? 'array' : typeof v}).`,
        { file, name: k },
      );
    }
  }
  return data as Record<string, string>;
}
