/**
 * The error taxonomy. Every error carries a code and the thing at fault, and says how to fix it.
 * Remote failures travel as data (`toErrorData`) and are re-raised by the driver with their ids.
 */
export type ErrorCategory = 'plan' | 'schema' | 'execution' | 'storage' | 'resources' | 'internal';

export interface ErrorData {
  readonly category: ErrorCategory;
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export class StratusError extends Error {
  readonly category: ErrorCategory;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(category: ErrorCategory, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = `Stratus${category[0]!.toUpperCase()}${category.slice(1)}Error`;
    this.category = category;
    this.code = code;
    this.details = details;
  }

  toData(): ErrorData {
    return { category: this.category, code: this.code, message: this.message, details: this.details };
  }
}

export class PlanError extends StratusError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('plan', code, message, details);
  }
}

export class SchemaError extends StratusError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('schema', code, message, details);
  }
}

export class ExecutionError extends StratusError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('execution', code, message, details);
  }
}

export class StorageError extends StratusError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('storage', code, message, details);
  }
}

export class ResourceError extends StratusError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('resources', code, message, details);
  }
}

export class InternalError extends StratusError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('internal', code, message, details);
  }
}

/** Serialize any thrown value as error data (for executor → driver hand-off). */
export function toErrorData(e: unknown): ErrorData {
  if (e instanceof StratusError) return e.toData();
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    category: 'internal',
    code: 'UNEXPECTED',
    message: err.message,
    details: { stack: err.stack?.split('\n').slice(0, 6).join('\n') },
  };
}

/** Re-raise error data as a typed error, adding ids (stage, task, attempt). */
export function fromErrorData(d: ErrorData, extra: Record<string, unknown> = {}): StratusError {
  return new StratusError(d.category, d.code, d.message, { ...d.details, ...extra });
}

/** "did you mean" helper: the valid names, listed. */
export function listNames(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}
