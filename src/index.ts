/**
 * Stratus: the public API.
 */
export { session, Session, type SessionOptions } from './api/session.js';
export { DataFrameReader, type ReadFormat, type ReadOptions, type TextReadOptionBag } from './api/reader.js';
export { DataFrame, broadcast } from './api/dataframe.js';
export { GroupedData } from './api/groupedData.js';
export { Column } from './api/column.js';
export { StorageLevel } from './api/cache.js';
export { toJSONRows, type JsonRowsOptions, type JsonValue } from './api/jsonRows.js';
export * from './api/functions.js';
export { expr } from './sql/exprText.js';
export * from './api/window.js';
export { StratusError, PlanError, SchemaError, ExecutionError, StorageError } from '../planner/errors.js';
export { followJob, type JobHandle, submitJob } from './cli/handle.js';
