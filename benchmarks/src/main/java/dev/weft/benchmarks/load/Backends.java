package dev.weft.benchmarks.load;

import dev.weft.mesh.api.config.Endpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** N loopback gRPC backends; each one's answer delay is set per experiment. */
final class Backends implements AutoCloseable {
  final List<LoopbackServers.GrpcBackend> all = new ArrayList<>();

  Backends(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      all.add(new LoopbackServers.GrpcBackend());
    }
  }

  List<Endpoint> endpoints() {
    List<Endpoint> eps = new ArrayList<>();
    for (LoopbackServers.GrpcBackend b : all) {
      eps.add(Endpoint.of("127.0.0.1", b.port()));
    }
    return eps;
  }

  long requests() {
    long n = 0;
    for (LoopbackServers.GrpcBackend b : all) {
      n += b.requests.get();
    }
    return n;
  }

  @Override
  public void close() throws InterruptedException {
    for (LoopbackServers.GrpcBackend b : all) {
      b.close();
    }
  }
}
