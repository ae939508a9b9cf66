package dev.weft.benchmarks.load;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Study 5: a large configuration. 1,000 services, each with one route to its own cluster of 10
 * endpoints (10,000 endpoints in all, least_request). Measures the first apply, full updates (every
 * endpoint's port changed) and one-endpoint updates (one port in one cluster changed) through
 * {@link StaticConfigSource#update}, interleaved, and the heap the mesh retains for it (used heap
 * after GC with the mesh built, minus the same with only the config objects alive).
 *
 * <p>System properties: {@code clusters} (1000), {@code endpointsPerCluster} (10), {@code updates}
 * (20).
 */
public final class ScaleStudy {
  private ScaleStudy() {}

  public static void main(String[] args) throws Exception {
    int clusters = Integer.getInteger("clusters", 1000);
    int perCluster = Integer.getInteger("endpointsPerCluster", 10);
    int updates = Integer.getInteger("updates", 20);
    MeshConfig a = config("a", clusters, perCluster, 8080, -1);
    MeshConfig b = config("b", clusters, perCluster, 9090, -1);
    MeshConfig one1 = config("one1", clusters, perCluster, 8080, 7001);
    MeshConfig one2 = config("one2", clusters, perCluster, 8080, 7002);

    Load.gc();
    long heapBefore = usedHeap();
    long t0 = System.nanoTime();
    StaticConfigSource source = new StaticConfigSource(a);
    Mesh mesh = Mesh.builder().configSource(source).build();
    long firstApply = System.nanoTime() - t0;
    Load.gc();
    long retained = usedHeap() - heapBefore;

    long[] full = new long[updates];
    long[] single = new long[updates];
    for (int i = 0; i < updates; i++) {
      // Full update away from a, then back; each timed. Then one-endpoint updates from a.
      long s = System.nanoTime();
      source.update(i % 2 == 0 ? b : a);
      full[i] = System.nanoTime() - s;
      if (i % 2 == 0) {
        source.update(a);
      }
      s = System.nanoTime();
      source.update(i % 2 == 0 ? one1 : one2);
      single[i] = System.nanoTime() - s;
      source.update(a);
    }
    Load.gc();
    long retainedAfter = usedHeap() - heapBefore;
    mesh.close();

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("study", "scale");
    out.put("clusters", clusters);
    out.put("endpoints", clusters * perCluster);
    out.put("firstApplyMs", firstApply / 1e6);
    out.put("fullUpdateMs", stats(full));
    out.put("oneEndpointUpdateMs", stats(single));
    out.put("retainedHeapMiB", retained / 1048576.0);
    out.put("retainedHeapAfterUpdatesMiB", retainedAfter / 1048576.0);
    out.put("bytesPerEndpoint", (double) retained / (clusters * perCluster));
    out.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / 1048576.0);
    System.out.println(Json.of(out));
  }

  static MeshConfig config(
      String version, int clusters, int perCluster, int port, int changedPort) {
    MeshConfig.Builder cfg = MeshConfig.builder().version(version);
    for (int c = 0; c < clusters; c++) {
      List<Endpoint> eps = new ArrayList<>(perCluster);
      for (int e = 0; e < perCluster; e++) {
        int n = c * perCluster + e;
        int p = (c == clusters / 2 && e == 0 && changedPort > 0) ? changedPort : port;
        eps.add(Endpoint.of("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255), p));
      }
      String name = "svc-" + c;
      cfg.cluster(
          Cluster.builder(name)
              .endpoints(eps)
              .loadBalancing(LoadBalancing.of(LoadBalancing.LEAST_REQUEST))
              .build());
      cfg.service(
          Service.of(name, Route.builder("default").destinations(Destination.of(name)).build()));
    }
    return cfg.build();
  }

  private static Map<String, Object> stats(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("median", s[s.length / 2] / 1e6);
    m.put("p90", s[(int) Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)] / 1e6);
    m.put("max", s[s.length - 1] / 1e6);
    return m;
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
