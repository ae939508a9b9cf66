/**
 * Endpoint health and cluster protection for the engine's call path: outlier detection ({@link
 * dev.weft.mesh.core.internal.health.OutlierDetector}), the retry budget ({@link
 * dev.weft.mesh.core.internal.health.RetryBudgetTracker}), circuit-breaker limits ({@link
 * dev.weft.mesh.core.internal.health.ClusterLimits}), the local rate limit ({@link
 * dev.weft.mesh.core.internal.health.LocalRateLimiter}); retry backoff is the public {@link
 * dev.weft.mesh.core.ExponentialBackoff}, which the xDS client's reconnection shares.
 *
 * <p>Every method the call path uses is lock-free, never blocks and does not allocate (apart from
 * the rare call that ejects an endpoint, which builds one small state object). Time comes only from
 * an injected {@link dev.weft.mesh.api.runtime.Ticker} and randomness only from an injected {@link
 * dev.weft.mesh.api.runtime.RandomSource}, so tests drive both.
 *
 * <p><b>Internal</b>: not API. No compatibility is promised; other modules and applications must
 * not use it (an architecture test enforces this for Weft's own modules).
 */
package dev.weft.mesh.core.internal.health;
