package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A protocol adapter for engine tests. Each endpoint address has a behaviour: answer at once with
 * an outcome, or hang until the test completes the attempt (or the engine cancels it). The
 * adapter's result type is the attempt record itself, so tests see which attempt decided a call.
 */
final class FakeAdapter implements AttemptAdapter<FakeAdapter.Started> {
  private final Map<String, Function<Started, AttemptOutcome>> behaviours =
      new ConcurrentHashMap<>();
  private Function<Started, AttemptOutcome> fallback = s -> AttemptOutcome.http(200);
  final List<Started> attempts = new CopyOnWriteArrayList<>();
  final List<Started> discarded = new CopyOnWriteArrayList<>();

  /** A behaviour that never completes by itself. */
  static final Function<Started, AttemptOutcome> HANG = s -> null;

  FakeAdapter answer(String address, Function<Started, AttemptOutcome> behaviour) {
    behaviours.put(address, behaviour);
    return this;
  }

  FakeAdapter answerAll(Function<Started, AttemptOutcome> behaviour) {
    this.fallback = behaviour;
    behaviours.clear();
    return this;
  }

  @Override
  public Attempt start(AttemptContext context, AttemptSink<Started> sink) {
    Started s =
        new Started(
            context.endpoint().address(),
            context.attemptNumber(),
            context.hedge(),
            context.mirror(),
            context.timeoutNanos(),
            sink);
    attempts.add(s);
    AttemptOutcome outcome = behaviours.getOrDefault(s.address, fallback).apply(s);
    if (outcome != null) {
      s.complete(outcome);
    }
    return s::cancel;
  }

  @Override
  public void discard(Started result) {
    if (result != null) {
      discarded.add(result);
    }
  }

  List<Started> mainAttempts() {
    List<Started> out = new ArrayList<>();
    for (Started s : attempts) {
      if (!s.mirror) {
        out.add(s);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** One started attempt. */
  static final class Started {
    final String address;
    final int number;
    final boolean hedge;
    final boolean mirror;
    final long timeoutNanos;
    private final AttemptSink<Started> sink;
    volatile boolean cancelled;
    volatile AttemptOutcome outcome;

    Started(
        String address,
        int number,
        boolean hedge,
        boolean mirror,
        long timeoutNanos,
        AttemptSink<Started> sink) {
      this.address = address;
      this.number = number;
      this.hedge = hedge;
      this.mirror = mirror;
      this.timeoutNanos = timeoutNanos;
      this.sink = sink;
    }

    synchronized void complete(AttemptOutcome o) {
      if (outcome == null) {
        outcome = o;
        sink.complete(this, o);
      }
    }

    void cancel() {
      cancelled = true;
      complete(AttemptOutcome.CANCELLED);
    }

    @Override
    public String toString() {
      return "attempt " + number + " to " + address + (hedge ? " (hedge)" : "") + " -> " + outcome;
    }
  }

  /** Collects a call's end. */
  static final class Result implements CallListener<Started> {
    volatile Started completed;
    volatile MeshException failure;
    volatile int ends;

    @Override
    public synchronized void onComplete(Started result) {
      completed = result;
      ends++;
    }

    @Override
    public synchronized void onFailure(MeshException f) {
      failure = f;
      ends++;
    }

    boolean done() {
      return ends > 0;
    }
  }
}
