/**
 * Differential test, known differences: engine bugs the differential test found that are not
 * fixed yet. The CI seed keeps generation away from them (so `npm test` stays green while each
 * has a pending regression test, listed here); `npm run fuzz` explores them unless --avoid-known.
 * Remove a switch once its bug is fixed and its regression test passes.
 */
/** Switches that keep generation away from known engine differences until they are fixed. */
export interface Avoid {
  /** A union side that reads no column of its files, then a projection, fails reading a footer: such a side is not built. */
  readonly noColumnScan: boolean;
}

export const AVOID_NOTHING: Avoid = {
  noColumnScan: false,
};

export const AVOID_KNOWN: Avoid = {
  // test/regressions/pending/union-empty-projection-footer.pending.ts
  noColumnScan: true,
};
