/**
 * The statistics of the canary guard: the lock-free per-destination recorder the call path writes
 * ({@link dev.weft.mesh.core.internal.canary.OutcomeRecorder}), the latency buckets ({@link
 * dev.weft.mesh.core.internal.canary.LatencyBuckets}), the bounds and sequential tests ({@link
 * dev.weft.mesh.core.internal.canary.Bounds}) and the judge that compares a canary with its
 * baseline ({@link dev.weft.mesh.core.internal.canary.CanaryJudge}). {@code docs/canary.md}
 * explains the statistics.
 *
 * <p>Only {@link dev.weft.mesh.core.internal.canary.OutcomeRecorder#record} runs on the call path:
 * it is lock-free and allocation-free. Everything else runs on the control path, serially.
 *
 * <p><b>Internal</b>: not API. No compatibility is promised; other modules and applications must
 * not use it (an architecture test enforces this for Weft's own modules).
 */
package dev.weft.mesh.core.internal.canary;
