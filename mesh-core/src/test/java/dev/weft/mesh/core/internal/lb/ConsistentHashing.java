package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import java.util.List;
import java.util.function.Function;

/** Measures how keys map to endpoints under a consistent-hash picker. */
final class ConsistentHashing {

  /** The endpoint of each of {@code keys} keys ("key-0", "key-1"...). */
  static LbEndpoint[] assign(EndpointPicker picker, int keys) {
    LbEndpoint[] owners = new LbEndpoint[keys];
    for (int k = 0; k < keys; k++) {
      owners[k] = picker.pick(Picks.hashed(Picks.keyHash("key-" + k)));
    }
    return owners;
  }

  static int moved(LbEndpoint[] before, LbEndpoint[] after) {
    int moved = 0;
    for (int k = 0; k < before.length; k++) {
      if (before[k] != after[k]) {
        moved++;
      }
    }
    return moved;
  }

  /** Keys that moved although their old endpoint is still there. */
  static int movedNeedlessly(LbEndpoint[] before, LbEndpoint[] after, LbEndpoint removed) {
    int moved = 0;
    for (int k = 0; k < before.length; k++) {
      if (before[k] != after[k] && before[k] != removed) {
        moved++;
      }
    }
    return moved;
  }

  static double[] shares(
      Function<List<TestEndpoint>, EndpointPicker> factory,
      List<TestEndpoint> endpoints,
      int keys) {
    LbEndpoint[] owners = assign(factory.apply(endpoints), keys);
    double[] shares = new double[endpoints.size()];
    for (LbEndpoint owner : owners) {
      shares[endpoints.indexOf((TestEndpoint) owner)] += 1.0 / keys;
    }
    return shares;
  }

  private ConsistentHashing() {}
}
