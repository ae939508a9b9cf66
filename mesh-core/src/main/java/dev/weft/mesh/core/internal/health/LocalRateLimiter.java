package dev.weft.mesh.core.internal.health;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's local rate limit: a token bucket that starts full with {@code maxTokens} and gains {@code
 * tokensPerFill} tokens (never more than {@code maxTokens}) at the end of every {@code
 * fillInterval}, counted from the limiter's creation, as Envoy's fill timer does. Each call takes a
 * token; with none left, {@link #tryAcquire()} returns false at once. A disabled limit ({@code
 * maxTokens} 0) always permits.
 *
 * <p>The whole state is one {@code long}, the number of the last fill seen and the tokens left,
 * moved by compare-and-set; the fill number is computed from the injected {@link Ticker}. The split
 * between the two adapts to the fill interval so that fill numbers cannot be confused for at least
 * half a century of uptime. That bounds the bucket: at a 1 ms fill interval it holds at most
 * 4,194,303 tokens, at 10 ms 33,554,431, at 1 s more than 4 billion (Envoy's own limit is 2^32 -
 * 1); a larger {@code maxTokens} or {@code tokensPerFill} is lowered to that bound and a warning
 * logged.
 *
 * <p>Why not resilience4j's {@code RateLimiter}: its bucket holds exactly one period's permits
 * ({@code limitForPeriod} is both the refill and the most that can accumulate), so Envoy's burst of
 * {@code maxTokens} above {@code tokensPerFill} cannot be expressed; its {@code AtomicRateLimiter}
 * allocates a state object on every acquire and boxes the time its clock supplier returns; and the
 * clock can be injected only through a constructor of its {@code internal} package.
 *
 * <p>Threading: {@link #tryAcquire()} is for the call path: any thread, lock-free, never blocking,
 * no allocation. The accessors may be called from any thread.
 */
public final class LocalRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(LocalRateLimiter.class);

  /** Fill numbers must not wrap within this span of time. */
  private static final long CENTURY_NANOS = Duration.ofDays(36_525).toNanos();

  private static final int MIN_FILL_BITS = 8;

  private final LocalRateLimit config;
  private final Ticker ticker;
  private final boolean enabled;
  private final long maxTokens;
  private final long tokensPerFill;
  private final long fillNanos;
  private final long fillsToFull;
  private final long originNanos;
  private final int tokenBits;
  private final long tokenMask;
  private final long fillMask;
  private final long halfFillRange;

  /** The number of the last fill seen (high bits) and the tokens left (low {@code tokenBits}). */
  private final AtomicLong state;

  public LocalRateLimiter(LocalRateLimit config, Ticker ticker) {
    this.config = requireNonNull(config, "config");
    this.ticker = requireNonNull(ticker, "ticker");
    this.enabled = config.enabled();
    long interval = Nanos.of(config.fillInterval());
    int fillBits =
        Math.max(MIN_FILL_BITS, Long.SIZE - Long.numberOfLeadingZeros(CENTURY_NANOS / interval));
    this.tokenBits = Long.SIZE - fillBits;
    this.tokenMask = (1L << tokenBits) - 1;
    this.fillMask = fillBits == Long.SIZE ? -1L : (1L << fillBits) - 1;
    this.halfFillRange = 1L << (fillBits - 1);
    this.fillNanos = interval;
    long max = Math.min(config.maxTokens(), tokenMask);
    long perFill = Math.min(config.tokensPerFill(), max);
    if (enabled && (max < config.maxTokens() || perFill < config.tokensPerFill())) {
      log.warn(
          "Local rate limit {} exceeds what a bucket filled every {} can hold; using maxTokens {} and "
              + "tokensPerFill {}",
          config,
          config.fillInterval(),
          max,
          perFill);
    }
    this.maxTokens = max;
    this.tokensPerFill = Math.max(1, perFill);
    this.fillsToFull = (max + this.tokensPerFill - 1) / this.tokensPerFill;
    this.originNanos = ticker.nanoTime();
    this.state = new AtomicLong(max); // fill 0, full
  }

  /** Takes a token; false, at once, when the bucket is empty. Always true when the limit is off. */
  public boolean tryAcquire() {
    if (!enabled) {
      return true;
    }
    long fill = fillAt(ticker.nanoTime());
    for (; ; ) {
      long current = state.get();
      long tokens = tokensAt(current, fill);
      if (tokens == 0) {
        return false;
      }
      long stateFill = current >>> tokenBits;
      long newFill = isOlder(stateFill, fill) ? fill : stateFill;
      if (state.compareAndSet(current, newFill << tokenBits | (tokens - 1))) {
        return true;
      }
    }
  }

  /**
   * The tokens available now ({@link Long#MAX_VALUE} when the limit is off), for dumps and metrics.
   */
  public long availableTokens() {
    if (!enabled) {
      return Long.MAX_VALUE;
    }
    return tokensAt(state.get(), fillAt(ticker.nanoTime()));
  }

  /** The largest burst, after any lowering described in the class comment (0 when off). */
  public long maxTokens() {
    return maxTokens;
  }

  /** The settings this limiter enforces. */
  public LocalRateLimit config() {
    return config;
  }

  @Override
  public String toString() {
    return "LocalRateLimiter{" + config + ", available=" + availableTokens() + "}";
  }

  /** The tokens in {@code word} once the fills up to {@code fill} are added. */
  private long tokensAt(long word, long fill) {
    long tokens = word & tokenMask;
    long stateFill = word >>> tokenBits;
    if (!isOlder(stateFill, fill)) {
      return tokens; // same fill, or another thread already saw a later clock than ours
    }
    long elapsed = (fill - stateFill) & fillMask;
    return elapsed >= fillsToFull
        ? maxTokens
        : Math.min(maxTokens, tokens + elapsed * tokensPerFill);
  }

  /** Whether fill number {@code a} comes before {@code b}, modulo the wrap of fill numbers. */
  private boolean isOlder(long a, long b) {
    long distance = (b - a) & fillMask;
    return distance != 0 && distance < halfFillRange;
  }

  private long fillAt(long nowNanos) {
    return (Math.max(0, nowNanos - originNanos) / fillNanos) & fillMask;
  }
}
