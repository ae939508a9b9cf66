package dev.weft.mesh.core;

import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import dev.weft.mesh.core.spi.CallRequest;

/**
 * A call's hash for the hashing balancers, from its route's hash policies with Envoy's rules: a
 * policy whose header (or call key) the request lacks is skipped, the others' hashes are folded in
 * order, and a terminal policy that found its key ends the fold. Stateless and allocation-free.
 */
final class RequestHash {

  /** A pick context with no hash that avoids nothing: for mirrors and for {@link Mesh#decide}. */
  static final PickContext NONE =
      new PickContext() {
        @Override
        public boolean hasHash() {
          return false;
        }

        @Override
        public long hash() {
          return 0;
        }

        @Override
        public boolean avoid(LbEndpoint endpoint) {
          return false;
        }
      };

  /**
   * Whether any of {@code policies} finds its key in {@code request}; without one the call has no
   * hash.
   */
  static boolean keyed(HashPolicy[] policies, CallRequest request) {
    for (HashPolicy p : policies) {
      if (p.kind() == HashPolicy.Kind.HEADER
          ? request.header(p.name()) != null
          : request.hasCallKey()) {
        return true;
      }
    }
    return false;
  }

  /** The call's hash; meaningful only when {@link #keyed} is true. */
  static long hash(HashPolicy[] policies, CallRequest request) {
    long h = 0;
    boolean any = false;
    for (HashPolicy p : policies) {
      long next;
      if (p.kind() == HashPolicy.Kind.HEADER) {
        String value = request.header(p.name());
        if (value == null) {
          continue;
        }
        next = Hashing.hash(value);
      } else if (request.hasCallKey()) {
        next = Hashing.mix(request.callKey());
      } else {
        continue;
      }
      h = any ? Hashing.combine(h, next) : next;
      any = true;
      if (p.terminal()) {
        break;
      }
    }
    return h;
  }

  private RequestHash() {}
}
