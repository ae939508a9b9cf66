package dev.weft.mesh.core;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.core.spi.CallRequest;

/**
 * What a route's fault injection does to one call (Envoy's fault filter): abort, delay, both or
 * neither. Stateless.
 */
final class Faults {

  /** The decision for one call. */
  enum Verdict {
    NONE,
    ABORT,
    DELAY,
    DELAY_THEN_ABORT
  }

  /** Draws the call's faults; only a request the fault's header matchers accept can get one. */
  static Verdict decide(CompiledRoute route, CallRequest request, RandomSource random) {
    FaultInjection fault = route.fault();
    if (!fault.enabled() || !route.faultApplies(request)) {
      return Verdict.NONE;
    }
    // One draw for each enabled fault, abort first, so that the two shares stay independent.
    boolean abort = fault.abort().enabled() && random.nextDouble() * 100 < fault.abort().percent();
    boolean delay = fault.delay().enabled() && random.nextDouble() * 100 < fault.delay().percent();
    if (delay) {
      return abort ? Verdict.DELAY_THEN_ABORT : Verdict.DELAY;
    }
    return abort ? Verdict.ABORT : Verdict.NONE;
  }

  /** How long a delayed call is held. */
  static long delayNanos(CompiledRoute route) {
    return Nanos.of(route.fault().delay().fixedDelay());
  }

  /** How the deadline failure of a call that ran out of time in the delay says where it was. */
  static String whileDelayed(CompiledRoute route) {
    return "while a fault-injected delay of " + route.fault().delay().fixedDelay() + " ran";
  }

  /** The failure an aborted call ends with. */
  static InjectedFaultException abort(CompiledRoute route) {
    FaultInjection.Abort a = route.fault().abort();
    return new InjectedFaultException(a.httpStatus(), a.grpcStatus(), route.name());
  }

  private Faults() {}
}
