package dev.weft.mesh.kubernetes;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's Kubernetes mock server in CRUD mode on 127.0.0.1, serving lists and watches over HTTP,
 * that can be stopped and started again on the same port with the same state. It also answers
 * {@code SelfSubjectAccessReview}s (allowed unless the test denied the verb and resource) and can
 * answer watches that resume from an old resource version with {@code 410 Gone}.
 */
final class ApiServer implements AutoCloseable {
  private static final Pattern RV_PARAM = Pattern.compile("[?&]resourceVersion=([0-9]+)");

  private final Dispatcher dispatcher = new Dispatcher();
  private final int port;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private KubernetesMockServer server;
  private KubernetesClient admin;

  ApiServer() {
    this.port = freePort();
    start();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized void start() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops serving: connections close and new ones are refused. The state is kept. */
  synchronized void stop() {
    server.destroy();
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** A client for the source under test: no kubeconfig, quick reconnects. */
  synchronized KubernetesClient client() {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url())
            .withNamespace("default")
            .withWatchReconnectInterval(100)
            .withRequestRetryBackoffInterval(50)
            .withRequestRetryBackoffLimit(2)
            .withConnectionTimeout(2_000)
            .build();
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(c);
    return c;
  }

  /** The test's own client, to change resources. */
  synchronized KubernetesClient admin() {
    if (admin == null) {
      admin = client();
    }
    return admin;
  }

  /** Denies {@code verb} on {@code resource} ({@code endpointslices}) in {@code namespace}. */
  void deny(String verb, String resource, String namespace) {
    dispatcher.denied.add(verb + " " + resource + " " + namespace);
  }

  /**
   * From now on, answers watches that resume from a resource version below {@code version} with
   * {@code 410 Gone}, as an API server does once its watch cache has moved past it.
   */
  void goneBelow(long version) {
    dispatcher.goneBelow.set(version);
  }

  int goneAnswers() {
    return dispatcher.gone.get();
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    server.destroy();
  }

  private static final class Dispatcher extends KubernetesCrudDispatcher {
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    final AtomicLong goneBelow = new AtomicLong(0);
    final AtomicInteger gone = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (path.contains("/selfsubjectaccessreviews") && "POST".equals(request.getMethod())) {
        SelfSubjectAccessReview review =
            Serialization.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
        var attributes = review.getSpec().getResourceAttributes();
        boolean allowed =
            !denied.contains(
                attributes.getVerb()
                    + " "
                    + attributes.getResource()
                    + " "
                    + attributes.getNamespace());
        review.setStatus(
            new SubjectAccessReviewStatus(
                allowed, false, "", allowed ? "" : "no RBAC rule allows it"));
        return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
      }
      if (path.contains("watch=true")) {
        Matcher m = RV_PARAM.matcher(path);
        if (m.find() && Long.parseLong(m.group(1)) < goneBelow.get()) {
          gone.incrementAndGet();
          // What an API server does: the watch opens, its one event is an ERROR with 410, and it
          // closes.
          return new MockResponse()
              .withWebSocketUpgrade(
                  new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws, Response response) {
                      ws.send(
                          "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                              + "\"status\":\"Failure\",\"message\":\"too old resource version\","
                              + "\"reason\":\"Expired\",\"code\":410}}");
                      ws.close(1000, "");
                    }
                  });
        }
      }
      return super.dispatch(request);
    }
  }
}
