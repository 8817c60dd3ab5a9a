/**
 * Differential test, known differences: engine bugs the differential test found that are not
 * fixed yet. The CI seed keeps generation away from them (so `npm test` stays green while each
 * has a pending regression test, listed here); `npm run fuzz` explores them unless --avoid-known.
 * Remove a switch once its bug is fixed and its regression test passes. None is known today: add
 * a boolean switch here (and to both objects below) for the next one found.
 */
/** Switches that keep generation away from known engine differences until they are fixed. */
export type Avoid = Readonly<Record<never, boolean>>;

export const AVOID_NOTHING: Avoid = {};

export const AVOID_KNOWN: Avoid = {};
