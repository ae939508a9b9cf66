package dev.weft.mesh.grpc.archfixture;

import dev.weft.mesh.core.internal.lb.PeakEwma;

/** A deliberate violation, for the test that proves the internal-package rule catches one. */
public final class GrpcClassThatUsesCoreInternals {
  private GrpcClassThatUsesCoreInternals() {}

  /** Reaches into mesh-core's internal load-balancing package from a mesh-grpc package. */
  public static Class<?> reachIn() {
    return PeakEwma.class;
  }
}
