/**
 * Milliseconds on a monotonic clock. The `performance` global would do, but its first use loads
 * node:perf_hooks (about 3 ms of a one-file cold start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
