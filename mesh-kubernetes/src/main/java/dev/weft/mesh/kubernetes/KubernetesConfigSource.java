package dev.weft.mesh.kubernetes;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.kubernetes.internal.ClusterNames;
import dev.weft.mesh.kubernetes.internal.ClusterTranslator;
import dev.weft.mesh.kubernetes.internal.Layering;
import dev.weft.mesh.kubernetes.internal.RbacCheck;
import dev.weft.mesh.kubernetes.internal.RouteRejectedException;
import dev.weft.mesh.kubernetes.internal.RouteTranslator;
import dev.weft.mesh.kubernetes.internal.TranslatedRoute;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh configuration from Kubernetes: endpoints from the {@code discovery.k8s.io/v1}
 * EndpointSlices of Services, and routes from Gateway API {@code HTTPRoute}s and {@code GRPCRoute}s
 * whose {@code parentRefs} name a Service (GAMMA), optionally laid over a base source such as the
 * YAML file for the policies the Gateway API does not carry (retry budgets, hedging, outlier
 * detection, balancer, TLS).
 *
 * <p>Names: a Service's first port is the cluster {@code <name>.<namespace>}, its other ports
 * {@code <name>.<namespace>:<port>}; callers address it as {@code <name>} in the {@linkplain
 * Builder#localNamespace local namespace}, or {@code <name>.<namespace>}, {@code
 * <name>.<namespace>.svc}, {@code <name>.<namespace>.svc.cluster.local}. The layering's precedence
 * is written on {@link Builder#base}.
 *
 * <p>Endpoints: {@code ready} endpoints take calls; {@code serving} but {@code terminating} ones
 * take new calls only when no ready endpoint is left (they are kept at priority 1) and calls
 * already on them finish; others take none. Zone and node become the locality's zone and sub-zone,
 * and the labels of the pod an endpoint points at become its labels, for subsets by {@code
 * version}.
 *
 * <p>Watches are fabric8 informers: they relist on {@code 410 Gone} and reconnect with backoff;
 * while the API server is unreachable the last endpoints stay in force and {@link #status()} says
 * the watches are down. A route that cannot be applied is refused whole, logged with its name and
 * field, listed in {@link #status()}, and its previous version (if any) stays in force.
 *
 * <p>Start-up: {@link #start} first checks, with a {@code SelfSubjectAccessReview} per verb,
 * resource and namespace, that the service account may read what the source needs, and throws
 * {@link KubernetesPermissionException} naming what is missing. The first configuration comes once
 * every watch has listed. Supported {@linkplain StartupMode modes}: {@link StartupMode#WAIT} (the
 * default) and {@link StartupMode#FAIL_FAST}.
 *
 * <p>Threading: informer events only mark the configuration stale; one thread of the source's own
 * rebuilds it and calls the listener, serially.
 */
public final class KubernetesConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(KubernetesConfigSource.class);
  private static final String GATEWAY_GROUP = "gateway.networking.k8s.io";
  private static final List<String> READ_VERBS = List.of("list", "watch");

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final List<String> namespaces;
  private final String localNamespace;
  private final Set<String> services;
  private final boolean watchRoutes;
  private final boolean podLabels;
  private final boolean checkPermissions;
  private final ConfigSource base;
  private final StartupMode startupMode;
  private final String clusterDomain;

  private final ExecutorService executor;
  private final AtomicBoolean rebuildPending = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong generation = new AtomicLong();
  private final List<Watched<?>> watched = new ArrayList<>();
  private volatile Instant startedAt;
  private volatile boolean synced;
  private volatile ConfigListener listener;
  private volatile MeshConfig baseConfig;
  private volatile boolean baseReady;
  // Written by the rebuild thread only.
  private MeshConfig delivered;
  private final Map<String, TranslatedRoute> lastGoodRoutes = new HashMap<>();
  private final Map<String, String> reportedRefusals = new HashMap<>();
  private final List<ConfigViolation> newRefusals = new ArrayList<>();
  private volatile Map<String, Object> inForce = Map.of();
  private volatile List<Map<String, Object>> routeStatus = List.of();
  private volatile String lastError = "";

  private KubernetesConfigSource(Builder b) {
    this.client = b.client != null ? b.client : new KubernetesClientBuilder().build();
    this.ownsClient = b.client == null;
    String clientNs = client.getNamespace() == null ? "default" : client.getNamespace();
    this.namespaces = b.namespaces.isEmpty() ? List.of(clientNs) : List.copyOf(b.namespaces);
    this.localNamespace = b.localNamespace != null ? b.localNamespace : namespaces.get(0);
    Set<String> svc = new LinkedHashSet<>();
    for (String s : b.services) {
      svc.add(s.contains("/") ? s : localNamespace + "/" + s);
    }
    this.services = Set.copyOf(svc);
    this.watchRoutes = b.watchRoutes;
    this.podLabels = b.podLabels;
    this.checkPermissions = b.checkPermissions;
    this.base = b.base;
    this.startupMode = b.startupMode;
    this.clusterDomain = b.clusterDomain;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "weft-kubernetes");
              t.setDaemon(true);
              return t;
            });
  }

  /** A builder that reads the namespace and credentials as fabric8 finds them. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @throws KubernetesPermissionException if the service account may not list or watch what the
   *     source needs
   * @throws InvalidConfigException if the base source's initial configuration is invalid
   */
  @Override
  public void start(ConfigListener configListener) {
    requireNonNull(configListener, "listener");
    this.listener = configListener;
    this.startedAt = Instant.now();
    if (checkPermissions) {
      checkPermissions();
    }
    if (base != null) {
      base.start(new BaseListener());
    } else {
      baseReady = true;
    }
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (String ns : namespaces) {
      started.add(
          watch("Services", ns, client.services().inNamespace(ns).runnableInformer(0), false));
      started.add(
          watch(
              "EndpointSlices",
              ns,
              client.discovery().v1().endpointSlices().inNamespace(ns).runnableInformer(0),
              false));
      if (podLabels) {
        started.add(watch("Pods", ns, client.pods().inNamespace(ns).runnableInformer(0), false));
      }
      if (watchRoutes) {
        started.add(
            watch(
                "HTTPRoutes",
                ns,
                client.resources(HTTPRoute.class).inNamespace(ns).runnableInformer(0),
                true));
        started.add(
            watch(
                "GRPCRoutes",
                ns,
                client.resources(GRPCRoute.class).inNamespace(ns).runnableInformer(0),
                true));
      }
    }
    CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, error) -> {
              if (closed.get()) {
                return;
              }
              synced = true;
              log.info(
                  "Kubernetes source listed {} in namespaces {}",
                  watched.stream().map(w -> w.kind).distinct().toList(),
                  namespaces);
              requestRebuild();
            });
  }

  private void checkPermissions() {
    List<RbacCheck.Need> needs = new ArrayList<>();
    needs.add(new RbacCheck.Need("", "services", READ_VERBS));
    needs.add(new RbacCheck.Need("discovery.k8s.io", "endpointslices", READ_VERBS));
    if (podLabels) {
      needs.add(new RbacCheck.Need("", "pods", READ_VERBS));
    }
    if (watchRoutes) {
      needs.add(new RbacCheck.Need(GATEWAY_GROUP, "httproutes", READ_VERBS));
      needs.add(new RbacCheck.Need(GATEWAY_GROUP, "grpcroutes", READ_VERBS));
    }
    List<RbacCheck.Denied> denied;
    try {
      denied = RbacCheck.check(client, namespaces, needs);
    } catch (KubernetesClientException e) {
      if (startupMode == StartupMode.FAIL_FAST) {
        throw new IllegalStateException(
            "the Kubernetes source could not check its permissions at "
                + client.getMasterUrl()
                + ": "
                + e.getMessage(),
            e);
      }
      log.warn(
          "Kubernetes source could not check its permissions at {} ({}); starting its watches anyway",
          client.getMasterUrl(),
          e.getMessage());
      return;
    }
    if (!denied.isEmpty()) {
      throw new KubernetesPermissionException(
          denied.stream().map(RbacCheck.Denied::toString).toList(), RbacCheck.message(denied));
    }
  }

  private <T extends HasMetadata> CompletableFuture<Void> watch(
      String kind, String ns, SharedIndexInformer<T> informer, boolean optional) {
    Watched<T> w = new Watched<>(kind, ns, informer);
    watched.add(w);
    informer.addEventHandler(new Handler<>(kind.equals("Pods")));
    informer.exceptionHandler(
        (isStarted, t) -> {
          if (optional && !isStarted && isNotFound(t)) {
            log.warn(
                "Kubernetes source: {} are not served in namespace {} ({}); is the Gateway API"
                    + " installed? Routes of that kind are off",
                kind,
                ns,
                t.getMessage());
            w.unavailable = true;
            return false;
          }
          if (!closed.get()) {
            w.lastError = String.valueOf(t.getMessage());
            log.warn(
                "Kubernetes source: watch of {} in {} failed, retrying: {}",
                kind,
                ns,
                t.toString());
          }
          return !closed.get();
        });
    CompletableFuture<Void> f = new CompletableFuture<>();
    informer
        .start()
        .whenComplete(
            (ok, error) -> {
              if (error != null && !optional) {
                log.warn(
                    "Kubernetes source: {} in {} did not start: {}", kind, ns, error.toString());
              }
              f.complete(null);
            });
    return f;
  }

  private static boolean isNotFound(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k
          && k.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

  private void requestRebuild() {
    if (closed.get() || !synced || !baseReady) {
      return;
    }
    if (rebuildPending.compareAndSet(false, true)) {
      try {
        executor.execute(this::rebuild);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        rebuildPending.set(false);
      }
    }
  }

  private void rebuild() {
    rebuildPending.set(false);
    if (closed.get()) {
      return;
    }
    try {
      newRefusals.clear();
      MeshConfig next = build();
      if (!newRefusals.isEmpty()) {
        listener.onError(new InvalidConfigException("kubernetes", List.copyOf(newRefusals)));
      }
      if (delivered != null
          && next.services().equals(delivered.services())
          && next.clusters().equals(delivered.clusters())
          && next.authorizationPolicies().equals(delivered.authorizationPolicies())) {
        return;
      }
      next = next.withVersion("kubernetes-" + generation.incrementAndGet());
      // withVersion keeps only services, clusters and policies; keep the base's normalization.
      if (baseConfig != null) {
        next =
            new MeshConfig(
                next.version(),
                next.services(),
                next.clusters(),
                next.authorizationPolicies(),
                baseConfig.pathNormalization());
      }
      listener.onConfig(next);
      delivered = next;
      lastError = "";
    } catch (InvalidConfigException e) {
      lastError = e.getMessage();
      log.warn(
          "Kubernetes source: configuration refused, keeping the one in force: {}", e.getMessage());
      listener.onError(e);
    } catch (RuntimeException e) {
      lastError = e.toString();
      log.warn("Kubernetes source: could not build a configuration, keeping the one in force", e);
      listener.onError(e);
    }
  }

  private MeshConfig build() {
    Map<String, Service> serviceByKey = new TreeMap<>();
    Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
    Map<String, Pod> podsByKey = new HashMap<>();
    List<HTTPRoute> httpRoutes = new ArrayList<>();
    List<GRPCRoute> grpcRoutes = new ArrayList<>();
    for (Watched<?> w : watched) {
      for (Object o : w.informer.getStore().list()) {
        switch (w.kind) {
          case "Services" -> {
            Service s = (Service) o;
            String key = key(s);
            if (services.isEmpty() || services.contains(key)) {
              serviceByKey.put(key, s);
            }
          }
          case "EndpointSlices" -> {
            EndpointSlice slice = (EndpointSlice) o;
            Map<String, String> labels = slice.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get(ClusterTranslator.SERVICE_NAME_LABEL);
            if (svc != null) {
              slicesByService
                  .computeIfAbsent(
                      slice.getMetadata().getNamespace() + "/" + svc, k -> new ArrayList<>())
                  .add(slice);
            }
          }
          case "Pods" -> podsByKey.put(key((Pod) o), (Pod) o);
          case "HTTPRoutes" -> httpRoutes.add((HTTPRoute) o);
          case "GRPCRoutes" -> grpcRoutes.add((GRPCRoute) o);
          default -> {}
        }
      }
    }
    ClusterTranslator.PodLabels labels =
        (ns, name) -> {
          Pod p = podsByKey.get(ns + "/" + name);
          return p == null ? Map.of() : p.getMetadata().getLabels();
        };
    List<Cluster> clusters = new ArrayList<>();
    Map<String, List<Route>> defaultRoutes = new LinkedHashMap<>();
    Map<String, List<String>> aliasesByService = new HashMap<>();
    Map<String, Object> resources = new LinkedHashMap<>();
    for (Map.Entry<String, Service> e : serviceByKey.entrySet()) {
      Service s = e.getValue();
      List<Cluster> own =
          ClusterTranslator.clusters(
              s, slicesByService.getOrDefault(e.getKey(), List.of()), labels);
      if (own.isEmpty()) {
        continue;
      }
      clusters.addAll(own);
      List<String> aliases =
          ClusterNames.aliases(
              s.getMetadata().getNamespace(),
              s.getMetadata().getName(),
              localNamespace,
              clusterDomain);
      aliasesByService.put(e.getKey(), aliases);
      Route route =
          Route.builder("default").destinations(Destination.of(own.get(0).name())).build();
      for (String alias : aliases) {
        defaultRoutes.put(alias, List.of(route));
      }
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("resourceVersion", s.getMetadata().getResourceVersion());
      detail.put("names", aliases);
      Map<String, Object> cl = new LinkedHashMap<>();
      for (Cluster c : own) {
        cl.put(
            c.name(),
            c.endpoints().stream()
                .map(ep -> ep.address() + (ep.priority() > 0 ? " (terminating)" : ""))
                .toList());
      }
      detail.put("clusters", cl);
      detail.put(
          "endpointSlices",
          slicesByService.getOrDefault(e.getKey(), List.of()).stream()
              .map(sl -> sl.getMetadata().getName() + "@" + sl.getMetadata().getResourceVersion())
              .sorted()
              .toList());
      resources.put(e.getKey(), detail);
    }
    Set<String> clusterNames = new HashSet<>();
    clusters.forEach(c -> clusterNames.add(c.name()));
    if (baseConfig != null) {
      baseConfig.clusters().forEach(c -> clusterNames.add(c.name()));
    }
    RouteTranslator.Backends backends =
        (ns, name, port) -> {
          Service s = serviceByKey.get(ns + "/" + name);
          if (s == null
              || s.getSpec() == null
              || s.getSpec().getPorts() == null
              || s.getSpec().getPorts().isEmpty()) {
            return java.util.Optional.empty();
          }
          List<ServicePort> ports = s.getSpec().getPorts();
          for (int i = 0; i < ports.size(); i++) {
            if (port == null || Objects.equals(ports.get(i).getPort(), port)) {
              return java.util.Optional.of(
                  ClusterNames.cluster(ns, name, ports.get(i).getPort(), i == 0));
            }
          }
          return java.util.Optional.empty();
        };
    List<TranslatedRoute> inForceRoutes = new ArrayList<>();
    List<Map<String, Object>> statuses = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (HTTPRoute r : httpRoutes) {
      if (RouteTranslator.isMeshRoute(r.getSpec() == null ? null : r.getSpec().getParentRefs())) {
        String key = "HTTPRoute/" + key(r);
        present.add(key);
        translate(
            key, r, () -> RouteTranslator.http(r, backends), clusterNames, inForceRoutes, statuses);
      }
    }
    for (GRPCRoute r : grpcRoutes) {
      if (RouteTranslator.isMeshRoute(r.getSpec() == null ? null : r.getSpec().getParentRefs())) {
        String key = "GRPCRoute/" + key(r);
        present.add(key);
        translate(
            key, r, () -> RouteTranslator.grpc(r, backends), clusterNames, inForceRoutes, statuses);
      }
    }
    lastGoodRoutes.keySet().retainAll(present);
    reportedRefusals.keySet().retainAll(present);
    Map<String, List<TranslatedRoute.Entry>> byParent = new TreeMap<>();
    for (TranslatedRoute t : inForceRoutes) {
      for (String parent : t.parents()) {
        if (aliasesByService.containsKey(parent)) {
          byParent.computeIfAbsent(parent, k -> new ArrayList<>()).addAll(t.entries());
        }
      }
    }
    Map<String, List<Route>> gatewayRoutes = new LinkedHashMap<>();
    for (Map.Entry<String, List<TranslatedRoute.Entry>> e : byParent.entrySet()) {
      List<TranslatedRoute.Entry> entries = new ArrayList<>(e.getValue());
      entries.sort(TranslatedRoute.Entry.PRECEDENCE);
      List<Route> routes = entries.stream().map(TranslatedRoute.Entry::route).toList();
      for (String alias : aliasesByService.get(e.getKey())) {
        gatewayRoutes.put(alias, routes);
      }
    }
    this.inForce = Map.copyOf(resources);
    this.routeStatus = List.copyOf(statuses);
    return Layering.layer(baseConfig, "building", clusters, defaultRoutes, gatewayRoutes);
  }

  private interface Translation {
    TranslatedRoute translate() throws RouteRejectedException;
  }

  private void translate(
      String key,
      HasMetadata resource,
      Translation translation,
      Set<String> clusterNames,
      List<TranslatedRoute> inForceRoutes,
      List<Map<String, Object>> statuses) {
    String version = resource.getMetadata().getResourceVersion();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("route", key);
    status.put("resourceVersion", version);
    try {
      TranslatedRoute t = translation.translate();
      lastGoodRoutes.put(key, t);
      reportedRefusals.remove(key);
      inForceRoutes.add(t);
      status.put("state", "applied");
      status.put("parents", t.parents());
    } catch (RouteRejectedException e) {
      TranslatedRoute previous = lastGoodRoutes.get(key);
      if (previous != null && !targetsExist(previous, clusterNames)) {
        lastGoodRoutes.remove(key);
        previous = null;
      }
      String kept =
          previous == null
              ? "it has no previous version; its Services keep their other routes"
              : "keeping its previous version (resourceVersion " + previous.resourceVersion() + ")";
      if (!Objects.equals(reportedRefusals.put(key, version), version)) {
        log.warn(
            "Kubernetes source: {} (resourceVersion {}) refused: {}; {}",
            key,
            version,
            e.getMessage(),
            kept);
        newRefusals.add(
            new ConfigViolation(
                key, e.field(), e.getMessage().substring(e.field().length() + 2) + "; " + kept));
      }
      status.put("state", "refused");
      status.put("field", e.field());
      status.put("error", e.getMessage());
      status.put("kept", previous == null ? "" : previous.resourceVersion());
      if (previous != null) {
        inForceRoutes.add(previous);
      }
    }
    statuses.add(status);
  }

  private static boolean targetsExist(TranslatedRoute route, Set<String> clusters) {
    for (TranslatedRoute.Entry e : route.entries()) {
      for (Destination d : e.route().destinations()) {
        if (!clusters.contains(d.cluster())) {
          return false;
        }
      }
      for (MirrorPolicy m : e.route().mirrors()) {
        if (!clusters.contains(m.cluster())) {
          return false;
        }
      }
    }
    return true;
  }

  private static String key(HasMetadata r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  @Override
  public String description() {
    return "kubernetes:" + client.getMasterUrl() + " namespaces " + namespaces;
  }

  /**
   * The watches (per kind and namespace: listed, watching, the last resource version), the
   * Services, clusters and endpoints in force, every Gateway API route with its state ({@code
   * applied} or {@code refused}, with the field and error), and the base source's status.
   */
  @Override
  public Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("server", String.valueOf(client.getMasterUrl()));
    s.put("namespaces", namespaces);
    s.put("synced", synced);
    s.put("watching", watching());
    List<Map<String, Object>> watches = new ArrayList<>();
    for (Watched<?> w : List.copyOf(watched)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", w.kind);
      m.put("namespace", w.namespace);
      m.put("listed", w.informer.hasSynced());
      m.put("watching", w.informer.isWatching());
      m.put("resourceVersion", String.valueOf(w.informer.lastSyncResourceVersion()));
      if (w.unavailable) {
        m.put("unavailable", true);
      }
      if (w.lastError != null) {
        m.put("lastError", w.lastError);
      }
      watches.add(m);
    }
    s.put("watches", watches);
    s.put("services", inForce);
    s.put("routes", routeStatus);
    MeshConfig d = delivered;
    s.put("version", d == null ? "" : d.version());
    s.put("lastError", lastError);
    if (base != null) {
      s.put("base", Map.of("description", base.description(), "status", base.status()));
    }
    return s;
  }

  /** Whether every watch has completed its first list (and the first configuration was built). */
  public boolean synced() {
    return synced;
  }

  /** Whether every watch is connected now; false while the API server is unreachable. */
  public boolean watching() {
    for (Watched<?> w : List.copyOf(watched)) {
      if (!w.unavailable && !w.informer.isWatching()) {
        return false;
      }
    }
    return !watched.isEmpty();
  }

  @Override
  public String awaiting() {
    List<String> pending = new ArrayList<>();
    for (Watched<?> w : List.copyOf(watched)) {
      if (!w.unavailable && !w.informer.hasSynced()) {
        pending.add(w.kind + " in " + w.namespace);
      }
    }
    if (!baseReady && base != null) {
      pending.add(base.awaiting());
    }
    Instant since = startedAt;
    return "the first list of "
        + (pending.isEmpty() ? "Services and EndpointSlices" : String.join(", ", pending))
        + " from the Kubernetes API server "
        + client.getMasterUrl()
        + (since == null ? "" : " since " + since);
  }

  @Override
  public StartupMode startupMode() {
    return startupMode;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Watched<?> w : watched) {
      try {
        w.informer.close();
      } catch (RuntimeException e) {
        log.debug("closing the watch of {} in {}", w.kind, w.namespace, e);
      }
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (base != null) {
      base.close();
    }
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return description();
  }

  private static final class Watched<T> {
    final String kind;
    final String namespace;
    final SharedIndexInformer<T> informer;
    volatile boolean unavailable;
    volatile String lastError;

    Watched(String kind, String namespace, SharedIndexInformer<T> informer) {
      this.kind = kind;
      this.namespace = namespace;
      this.informer = informer;
    }
  }

  private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final boolean labelsOnly;

    Handler(boolean labelsOnly) {
      this.labelsOnly = labelsOnly;
    }

    @Override
    public void onAdd(T obj) {
      requestRebuild();
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      if (labelsOnly
          && Objects.equals(oldObj.getMetadata().getLabels(), newObj.getMetadata().getLabels())) {
        return; // pod status churn does not change the endpoints' labels
      }
      requestRebuild();
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      requestRebuild();
    }
  }

  private final class BaseListener implements ConfigListener {
    @Override
    public void onConfig(MeshConfig config) {
      baseConfig = config;
      baseReady = true;
      requestRebuild();
    }

    @Override
    public void onError(Throwable error) {
      ConfigListener l = listener;
      if (l != null) {
        executor.execute(() -> l.onError(error));
      }
    }
  }

  /** Builds a {@link KubernetesConfigSource}. */
  public static final class Builder {
    private KubernetesClient client;
    private final List<String> namespaces = new ArrayList<>();
    private String localNamespace;
    private final List<String> services = new ArrayList<>();
    private boolean watchRoutes = true;
    private boolean podLabels = true;
    private boolean checkPermissions = true;
    private ConfigSource base;
    private StartupMode startupMode = StartupMode.WAIT;
    private String clusterDomain = "cluster.local";

    private Builder() {}

    /**
     * The client to use; the caller keeps it and closes it. By default the source builds one from
     * what fabric8 finds (in-cluster service account, {@code KUBECONFIG}, {@code ~/.kube/config})
     * and closes it with itself.
     */
    public Builder client(KubernetesClient client) {
      this.client = requireNonNull(client, "client");
      return this;
    }

    /** The namespaces to watch; by default the client's namespace (the pod's own in a cluster). */
    public Builder namespaces(Collection<String> namespaces) {
      for (String ns : namespaces) {
        this.namespaces.add(requireNonNull(ns, "namespace"));
      }
      return this;
    }

    public Builder namespaces(String... namespaces) {
      return namespaces(List.of(namespaces));
    }

    /**
     * The namespace whose Services callers may name by their short name ({@code reviews}); the
     * first watched namespace by default.
     */
    public Builder localNamespace(String localNamespace) {
      this.localNamespace = requireNonNull(localNamespace, "localNamespace");
      return this;
    }

    /**
     * The Services to discover, as {@code name} (in the local namespace) or {@code namespace/name};
     * by default every Service in the watched namespaces.
     */
    public Builder services(Collection<String> services) {
      for (String s : services) {
        this.services.add(requireNonNull(s, "service"));
      }
      return this;
    }

    public Builder services(String... services) {
      return services(List.of(services));
    }

    /** Whether HTTPRoutes and GRPCRoutes are watched and applied; true by default. */
    public Builder watchRoutes(boolean watchRoutes) {
      this.watchRoutes = watchRoutes;
      return this;
    }

    /**
     * Whether pods are watched so that their labels become endpoint labels (for subsets); true by
     * default. Without it the source needs no access to pods.
     */
    public Builder podLabels(boolean podLabels) {
      this.podLabels = podLabels;
      return this;
    }

    /** Whether {@link #build()}'s source checks its permissions at start; true by default. */
    public Builder checkPermissions(boolean checkPermissions) {
      this.checkPermissions = checkPermissions;
      return this;
    }

    /**
     * A source laid under Kubernetes (typically the YAML file) for what the Gateway API does not
     * carry. Precedence: endpoints from Kubernetes for every cluster it knows; cluster policies
     * (balancer, circuit breakers, outlier detection, retry budget, TLS, subsets) from the base
     * cluster of the same name ({@code reviews.default}); a service's routes from the HTTPRoutes
     * and GRPCRoutes that name it, else from the base, else a route to the Service's first port;
     * everything else as the base has it. The base is started and closed with this source.
     */
    public Builder base(ConfigSource base) {
      this.base = requireNonNull(base, "base");
      return this;
    }

    /**
     * {@link StartupMode#WAIT} (the default) or {@link StartupMode#FAIL_FAST}.
     *
     * @throws IllegalArgumentException for {@link StartupMode#SERVE_CACHED}: the source keeps no
     *     copy on disk
     */
    public Builder startupMode(StartupMode startupMode) {
      requireNonNull(startupMode, "startupMode");
      if (startupMode == StartupMode.SERVE_CACHED) {
        throw new IllegalArgumentException(
            "the Kubernetes source keeps no copy on disk; use wait or fail-fast");
      }
      this.startupMode = startupMode;
      return this;
    }

    /** The cluster's DNS domain for the long Service names; {@code cluster.local} by default. */
    public Builder clusterDomain(String clusterDomain) {
      this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
      return this;
    }

    public KubernetesConfigSource build() {
      return new KubernetesConfigSource(this);
    }
  }
}
