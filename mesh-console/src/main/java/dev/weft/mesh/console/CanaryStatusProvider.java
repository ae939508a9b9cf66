package dev.weft.mesh.console;

import java.util.List;

/**
 * Where the console reads the state of canary guards: one {@link CanaryStatus} per guarded route.
 * The console asks on every refresh of the page (about once a second per open page), from a server
 * thread, never on the call path.
 *
 * <p>An implementation must be quick, must not block and must hand out values (the console keeps no
 * reference to them). What it throws is shown in the console's canary section instead of the
 * canaries, and the rest of the page goes on.
 */
@FunctionalInterface
public interface CanaryStatusProvider {

  /** The guarded routes, in the order to show them; empty when nothing is guarded. */
  List<CanaryStatus> canaries();

  /** The provider of a process without canary guards: no canaries. */
  CanaryStatusProvider NONE = List::of;
}
