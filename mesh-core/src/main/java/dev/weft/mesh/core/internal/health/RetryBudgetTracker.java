package dev.weft.mesh.core.internal.health;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.runtime.Ticker;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A cluster's retry budget, as in Finagle's {@code RetryBudget}: every logical call deposits
 * ({@link #onCall()}) and every retry or hedged attempt must withdraw ({@link #tryWithdraw()}). A
 * withdrawal succeeds while
 *
 * <pre>  withdrawals in the window + 1 &lt;= reserve + percent / 100 * calls in the window</pre>
 *
 * where the window is the last {@code ttl} and the reserve is {@code minRetriesPerSecond * ttl} (in
 * seconds). Because withdrawals leave the window after {@code ttl}, the reserve refills with time:
 * a client with few calls can still retry about {@code minRetriesPerSecond} times per second on
 * average, in bursts of up to the whole reserve; a busy client adds {@code percent}% of its calls.
 *
 * <p>How exact: the window is the slot in progress plus the twenty slots of {@code ttl / 20} before
 * it, so a deposit or withdrawal counts for at least {@code ttl} and at most {@code 1.05 * ttl}.
 * Because a withdrawal never leaves the window before the calls that funded it, only the reserve is
 * ever reused, at most once per {@code ttl}: over any span of {@code ttl} the withdrawals are at
 * most the reserve plus {@code percent}% of the calls of that span and of the {@code ttl / 20}
 * before it, and over {@code n} consecutive spans of {@code ttl} at most {@code n} reserves plus
 * {@code percent}% of the calls. A spent budget is whole again at most {@code 1.05 * ttl} after the
 * last withdrawal. With one thread this holds exactly; with several, a withdrawal can overdraw by
 * one for each thread whose clock reading lies in the previous slot while another thread's lies in
 * the next (the check reads the other slots, then compare-and-sets the current one).
 *
 * <p>What is enforced, for any span of {@code T} seconds (for example a load test's phase): the
 * withdrawals made in it are at most
 *
 * <pre>
 *   ceil(T / ttl) * reserve + percent / 100 * (calls in the span + calls in the 1.05 * ttl before it)
 * </pre>
 *
 * (plus the concurrent overdraw above). The check is against the ratio in the window, never against
 * a span's own calls, so the strict reading "{@code percent}% of the span's calls plus {@code
 * minRetriesPerSecond} per second of it" can be exceeded, by at most {@code percent}% of the calls
 * of the 1.05 * ttl before the span (calls that still fund withdrawals in it, if they were not
 * spent before it) plus {@code minRetriesPerSecond * (ceil(T / ttl) * ttl - T)} (a reserve that
 * refills once per ttl, whole, not per second). With the defaults (20%, 10 a second, ttl 10 s), a
 * steady rate, and no retries in the 10.5 s before it, a span of 10 s can see up to 20% of 2.05
 * times its calls, plus 100.
 *
 * <p>Why not resilience4j: it has no retry budget. Finagle's windowed adder inspired the slots;
 * here each slot is one {@code long} holding the slot's number (36 bits, enough for a century of
 * slots) and its count (28 bits, saturating), so that moving a slot on to a new period and counting
 * in it is one compare-and-set, and no count is lost at a slot boundary.
 *
 * <p>Threading: {@link #onCall()} and {@link #tryWithdraw()} are for the call path: any thread,
 * lock-free, never blocking, no allocation. {@link #balance()} may be called from any thread.
 */
public final class RetryBudgetTracker {
  /** Slots that make up {@code ttl}; the window is these plus the slot in progress. */
  private static final int SLOTS_PER_TTL = 20;

  private static final int RING = SLOTS_PER_TTL + 1;
  private static final int COUNT_BITS = 28;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  private static final int SLOT_BITS = Long.SIZE - COUNT_BITS;
  private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
  private static final long HALF_SLOT_RANGE = 1L << (SLOT_BITS - 1);

  /** Fixed-point units of one retry: percent in thousandths times 100%. */
  private static final long UNITS_PER_RETRY = 100_000L;

  private final RetryBudget config;
  private final Ticker ticker;
  private final long originNanos;
  private final long slotNanos;
  private final long unitsPerCall;
  private final long reserveUnits;
  private final AtomicLongArray deposits = new AtomicLongArray(RING);
  private final AtomicLongArray withdrawals = new AtomicLongArray(RING);

  public RetryBudgetTracker(RetryBudget config, Ticker ticker) {
    this.config = requireNonNull(config, "config");
    this.ticker = requireNonNull(ticker, "ticker");
    long ttlNanos = config.ttl().toNanos(); // validated: 1 s to 60 s
    this.slotNanos = Math.max(1, ttlNanos / SLOTS_PER_TTL);
    this.unitsPerCall = Math.round(config.percent() * 1000);
    // minRetriesPerSecond * ttl seconds * UNITS_PER_RETRY, without overflowing for absurd settings.
    double reserve = (double) config.minRetriesPerSecond() * ttlNanos / 1e9 * UNITS_PER_RETRY;
    this.reserveUnits = (long) Math.min(reserve, (double) (Long.MAX_VALUE / 4));
    this.originNanos = ticker.nanoTime();
  }

  /** Deposits one logical call (the first attempt of a call, not its retries). */
  public void onCall() {
    long now = ticker.nanoTime();
    for (; ; ) {
      long slot = slotAt(now);
      int index = (int) (slot % RING);
      long word = deposits.get(index);
      long count = countIn(word, slot);
      if (count < 0) {
        now = ticker.nanoTime(); // another thread moved this slot past our reading of the clock
        continue;
      }
      if (count == COUNT_MASK || deposits.compareAndSet(index, word, pack(slot, count + 1))) {
        return;
      }
    }
  }

  /**
   * Takes one retry (or hedged attempt) from the budget; false, without taking anything, when the
   * budget is spent.
   */
  public boolean tryWithdraw() {
    long now = ticker.nanoTime();
    for (; ; ) {
      long slot = slotAt(now);
      int index = (int) (slot % RING);
      long word = withdrawals.get(index);
      long current = countIn(word, slot);
      if (current < 0) {
        now = ticker.nanoTime();
        continue;
      }
      long units =
          reserveUnits
              + unitsPerCall * sum(deposits, slot, -1)
              - UNITS_PER_RETRY * (sum(withdrawals, slot, index) + current);
      if (units < UNITS_PER_RETRY || current == COUNT_MASK) {
        return false;
      }
      if (withdrawals.compareAndSet(index, word, pack(slot, current + 1))) {
        return true;
      }
    }
  }

  /**
   * The retries the budget allows now (fractional: each call adds {@code percent / 100} of one).
   * For config dumps and metrics.
   */
  public double balance() {
    long slot = slotAt(ticker.nanoTime());
    long units =
        reserveUnits
            + unitsPerCall * sum(deposits, slot, -1)
            - UNITS_PER_RETRY * sum(withdrawals, slot, -1);
    return (double) units / UNITS_PER_RETRY;
  }

  /** The settings this budget enforces. */
  public RetryBudget config() {
    return config;
  }

  @Override
  public String toString() {
    return "RetryBudgetTracker{" + config + ", balance=" + balance() + "}";
  }

  private long slotAt(long nowNanos) {
    return Math.max(0, nowNanos - originNanos) / slotNanos;
  }

  private static long pack(long slot, long count) {
    return (slot & SLOT_MASK) << COUNT_BITS | count;
  }

  /**
   * The count a slot word holds for {@code slot}: the count if the word belongs to it, 0 if the
   * word belongs to an older slot (which the caller replaces), -1 if to a newer one.
   */
  private static long countIn(long word, long slot) {
    long age = (slot - (word >>> COUNT_BITS)) & SLOT_MASK;
    if (age == 0) {
      return word & COUNT_MASK;
    }
    return age < HALF_SLOT_RANGE ? 0 : -1;
  }

  /** The sum of the counts of the window ending at {@code slot}, leaving out index {@code skip}. */
  private static long sum(AtomicLongArray slots, long slot, int skip) {
    long total = 0;
    for (int i = 0; i < RING; i++) {
      if (i == skip) {
        continue;
      }
      long word = slots.get(i);
      long age = (slot - (word >>> COUNT_BITS)) & SLOT_MASK;
      if (age < RING) {
        total += word & COUNT_MASK;
      }
    }
    return total;
  }
}
