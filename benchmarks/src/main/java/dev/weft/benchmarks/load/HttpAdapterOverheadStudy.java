package dev.weft.benchmarks.load;

import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.http.httpclient5.MeshHttpClient5;
import dev.weft.mesh.http.okhttp.MeshInterceptor;
import dev.weft.mesh.http.spring.MeshExchangeFilterFunction;
import dev.weft.mesh.http.spring.MeshRestTemplates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The CPU each HTTP client adapter adds per call: the same client, sequential GETs to one JDK
 * server on loopback, once to the server's address (no mesh) and once to {@code http://reviews/}
 * through its Weft adapter (one route, one endpoint, meters on). Prints one JSON object with, per
 * client, the process CPU seconds per 10,000 calls of each and the difference in microseconds per
 * call. Usage: {@code benchmarks/run-study.sh HttpAdapterOverheadStudy [-Dcalls=20000]}.
 */
public final class HttpAdapterOverheadStudy {
  private HttpAdapterOverheadStudy() {}

  /** One client, one call. */
  @FunctionalInterface
  interface Call {
    void run(String url) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int calls = Integer.getInteger("calls", 20_000);
    int warmup = Integer.getInteger("warmup", 5_000);
    // Without it the JDK server's separate header and body writes meet delayed ACKs on loopback.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    byte[] body = "{\"id\":1,\"reviews\":[]}".getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    int port = server.getAddress().getPort();
    Mesh mesh =
        Mesh.builder()
            .meterRegistry(new SimpleMeterRegistry())
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("reviews")
                            .endpoints(Endpoint.builder("127.0.0.1", port).build())
                            .build())
                    .service(
                        new Service(
                            "reviews",
                            List.of(
                                Route.builder("all")
                                    .destinations(Destination.of("reviews"))
                                    .build())))
                    .build())
            .build();
    String direct = "http://127.0.0.1:" + port + "/reviews/1";
    String logical = "http://reviews/reviews/1";
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("study", "HttpAdapterOverheadStudy");
    out.put("calls", calls);
    try (MeshHttpClient meshHttp = MeshHttpClient.builder(mesh).build()) {
      OkHttpClient okPlain = new OkHttpClient();
      OkHttpClient okMesh =
          okPlain.newBuilder().addInterceptor(MeshInterceptor.create(mesh)).build();
      out.put(
          "okhttp",
          compare(calls, warmup, direct, logical, u -> okCall(okPlain, u), u -> okCall(okMesh, u)));
      try (CloseableHttpClient hcPlain = HttpClients.createDefault();
          CloseableHttpClient hcMesh =
              MeshHttpClient5.install(HttpClients.custom(), mesh).build()) {
        out.put(
            "httpclient5",
            compare(
                calls, warmup, direct, logical, u -> hcCall(hcPlain, u), u -> hcCall(hcMesh, u)));
      }
      RestTemplate rtPlain = new RestTemplate(new JdkClientHttpRequestFactory());
      RestTemplate rtMesh =
          MeshRestTemplates.apply(new RestTemplate(new JdkClientHttpRequestFactory()), meshHttp);
      out.put(
          "restTemplate",
          compare(
              calls,
              warmup,
              direct,
              logical,
              u -> rtPlain.getForObject(u, String.class),
              u -> rtMesh.getForObject(u, String.class)));
      WebClient wcPlain = WebClient.builder().clientConnector(new JdkClientHttpConnector()).build();
      WebClient wcMesh = wcPlain.mutate().filter(MeshExchangeFilterFunction.create(mesh)).build();
      out.put(
          "webClient",
          compare(calls, warmup, direct, logical, u -> wcCall(wcPlain, u), u -> wcCall(wcMesh, u)));
      okPlain.dispatcher().executorService().shutdown();
      okPlain.connectionPool().evictAll();
    } finally {
      mesh.close();
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
    System.out.println(Json.of(out));
    System.exit(0); // the JDK clients' selector threads
  }

  private static void okCall(OkHttpClient client, String url) throws Exception {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      r.body().bytes();
    }
  }

  private static void hcCall(CloseableHttpClient client, String url) throws Exception {
    client.execute(new HttpGet(url), r -> EntityUtils.toByteArray(r.getEntity()));
  }

  private static void wcCall(WebClient client, String url) {
    client.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
  }

  private static Map<String, Object> compare(
      int calls, int warmup, String direct, String logical, Call plain, Call meshed)
      throws Exception {
    run(plain, direct, warmup);
    run(meshed, logical, warmup);
    // plain, mesh, plain, mesh: the two halves average out drift of the machine's load
    long plainCpu = run(plain, direct, calls / 2);
    long meshCpu = run(meshed, logical, calls / 2);
    plainCpu += run(plain, direct, calls / 2);
    meshCpu += run(meshed, logical, calls / 2);
    int n = calls / 2 * 2;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("plainCpuSecondsPer10k", plainCpu / 1e9 * 10_000 / n);
    m.put("meshCpuSecondsPer10k", meshCpu / 1e9 * 10_000 / n);
    m.put("addedCpuMicrosPerCall", (meshCpu - plainCpu) / 1e3 / n);
    System.err.println(m); // progress, in case a later client does not finish
    return m;
  }

  private static long run(Call call, String url, int n) throws Exception {
    long start = cpu();
    for (int i = 0; i < n; i++) {
      call.run(url);
    }
    return cpu() - start;
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
