package dev.weft.mesh.grpc;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelLogger;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.InternalConfigSelector;
import io.grpc.LoadBalancer;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a {@code mesh:///service} target for a plain grpc-java channel. It resolves to no
 * address at all: it publishes a config selector whose per-call interceptor starts each call on the
 * mesh channel of the {@link MeshGrpc} registered as the default at that moment, so that the mesh's
 * router, balancers and attempt loop run the call exactly as on {@link MeshGrpc#channel(String)}.
 * The channel's load balancer (the {@value MeshLoadBalancerProvider#POLICY_NAME} policy) is there
 * only to keep the channel's state honest; calls never reach it.
 *
 * <p>Threading: {@link #start}, {@link #refresh}, the reaction to a change of the default and
 * {@link #shutdown} run in the channel's synchronization context; {@link Selector#selectConfig}
 * runs on callers' threads and reads two volatile fields, allocating nothing.
 */
final class MeshNameResolver extends NameResolver {
  private static final Logger log = LoggerFactory.getLogger(MeshNameResolver.class);

  /** The service config every mesh: channel gets: the mesh policy, no method config. */
  private static final Map<String, ?> SERVICE_CONFIG =
      Map.of(
          "loadBalancingConfig", List.of(Map.of(MeshLoadBalancerProvider.POLICY_NAME, Map.of())));

  private final String target;
  private final String service;
  private final SynchronizationContext syncContext;
  private final ChannelLogger channelLogger;
  private final ConfigOrError serviceConfig;
  private final Selector selector;
  private final Runnable onDefaultChange;

  // Touched in the synchronization context only.
  private Listener2 listener;
  private MeshGrpc published;
  private boolean toldNoMesh;

  /** Set by {@link #shutdown}; read by the selector on every call. */
  private volatile boolean shutdown;

  MeshNameResolver(String target, String service, Args args, boolean report) {
    this.target = target;
    this.service = service;
    this.syncContext = args.getSynchronizationContext();
    this.channelLogger = args.getChannelLogger();
    this.serviceConfig = args.getServiceConfigParser().parseServiceConfig(SERVICE_CONFIG);
    if (serviceConfig.getError() != null) {
      throw new IllegalStateException(
          "the service config of "
              + target
              + " was refused: "
              + serviceConfig.getError()
              + " (is the "
              + MeshLoadBalancerProvider.POLICY_NAME
              + " load-balancing policy of mesh-grpc registered?)");
    }
    this.selector = new Selector(serviceConfig.getConfig());
    this.onDefaultChange = () -> syncContext.execute(this::resolve);
    if (report) {
      String what = whatThisPathDoesNotGive(target, service, args.getOverrideAuthority());
      log.info(what);
      channelLogger.log(ChannelLogger.ChannelLogLevel.INFO, what);
    }
  }

  /** The line a mesh: channel logs once when it is built. */
  static String whatThisPathDoesNotGive(String target, String service, String overrideAuthority) {
    return "channel for "
        + target
        + ": its calls are run by the MeshGrpc registered as the default (routing by method and"
        + " metadata, splits, subsets, balancing, outlier detection, circuit breaking, retries,"
        + " hedging, budgets, timeouts, fault injection, mirroring, tracing, meters). Not used on"
        + " this path: the channel's credentials and transport settings (connections to '"
        + service
        + "' are the MeshGrpc's, secured by each cluster's tls settings or the workload's mTLS),"
        + " the channel's service config (grpc-java retries and hedging, method timeouts,"
        + " load-balancing policy)"
        + (overrideAuthority == null
            ? ""
            : ", its overrideAuthority '" + overrideAuthority + "' (the mesh routes by service)")
        + "; shutdownNow() and awaitTermination() do not see calls already in flight. See"
        + " docs/grpc.md, 'Plain channels on mesh: targets'.";
  }

  static Status noMeshRegistered(String target, String service) {
    return Status.UNAVAILABLE.withDescription(
        "no MeshGrpc is registered as the process default, so "
            + target
            + " cannot be resolved: call MeshGrpc.registerDefault() on the client of your mesh"
            + " (the Spring Boot starter does it for its MeshGrpc bean), or call the service"
            + " through MeshGrpc.channel(\""
            + service
            + "\")");
  }

  @Override
  public String getServiceAuthority() {
    return service;
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    MeshGrpcRegistration.addWatcher(onDefaultChange);
    resolve();
  }

  @Override
  public void refresh() {
    resolve();
  }

  /** Tells the channel about the default client in force; in the synchronization context. */
  private void resolve() {
    if (listener == null || shutdown) {
      return;
    }
    MeshGrpc current = MeshGrpcRegistration.current();
    if (current == null) {
      published = null;
      if (!toldNoMesh) {
        toldNoMesh = true;
        log.warn("{}", noMeshRegistered(target, service).getDescription());
      }
      listener.onError(noMeshRegistered(target, service));
      return;
    }
    toldNoMesh = false;
    if (current == published) {
      return;
    }
    published = current;
    listener.onResult2(
        ResolutionResult.newBuilder()
            .setAddresses(List.of())
            .setServiceConfig(serviceConfig)
            .setAttributes(
                Attributes.newBuilder().set(InternalConfigSelector.KEY, selector).build())
            .build());
  }

  @Override
  public void shutdown() {
    shutdown = true;
    MeshGrpcRegistration.removeWatcher(onDefaultChange);
    listener = null;
  }

  /** Hands each call to the default client's mesh channel, or fails it saying why not. */
  private final class Selector extends InternalConfigSelector {
    private final Object config;
    private final InternalConfigSelector.Result shutDown =
        InternalConfigSelector.Result.forError(
            Status.UNAVAILABLE.withDescription("the channel for " + target + " was shut down"));
    private final InternalConfigSelector.Result noMesh;

    /** The client calls go to, with its ready-made result; replaced when the default changes. */
    private volatile Binding binding;

    Selector(Object config) {
      this.config = config;
      this.noMesh = InternalConfigSelector.Result.forError(noMeshRegistered(target, service));
    }

    @Override
    public InternalConfigSelector.Result selectConfig(LoadBalancer.PickSubchannelArgs args) {
      if (shutdown) {
        return shutDown;
      }
      MeshGrpc current = MeshGrpcRegistration.current();
      Binding b = binding;
      if (b == null || b.grpc != current) {
        if (current == null) {
          return noMesh;
        }
        b = new Binding(current, current.channel(service), config);
        binding = b;
      }
      return b.result;
    }
  }

  /** One client's mesh channel and the selector result that sends calls to it. */
  private static final class Binding {
    final MeshGrpc grpc;
    final InternalConfigSelector.Result result;

    Binding(MeshGrpc grpc, MeshChannel channel, Object config) {
      this.grpc = grpc;
      this.result =
          InternalConfigSelector.Result.newBuilder()
              .setConfig(config)
              .setInterceptor(new ToMeshChannel(channel))
              .build();
    }
  }

  /** Starts the call on the mesh channel instead of the grpc-java channel's own transports. */
  private static final class ToMeshChannel implements ClientInterceptor {
    private final MeshChannel channel;

    ToMeshChannel(MeshChannel channel) {
      this.channel = channel;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      return channel.newCall(method, callOptions);
    }
  }
}
