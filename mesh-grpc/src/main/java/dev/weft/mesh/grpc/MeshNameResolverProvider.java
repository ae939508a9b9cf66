package dev.weft.mesh.grpc;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.URI;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The grpc-java name resolver for {@code mesh:///service} targets, found through {@link
 * java.util.ServiceLoader}: it makes {@code ManagedChannelBuilder.forTarget("mesh:///ratings")} and
 * {@code Grpc.newChannelBuilder("mesh:///ratings", credentials)} hand every call to the {@link
 * MeshGrpc} {@link MeshGrpc#registerDefault() registered as the process default}, so that the call
 * is routed, balanced and run by the mesh's attempt loop exactly as on {@link
 * MeshGrpc#channel(String)}. Nothing needs configuring: adding {@code mesh-grpc} to the class path
 * registers it.
 *
 * <p>How: the resolver publishes, as grpc-java's own {@code xds:} resolver does, a config selector
 * (grpc-java's {@code InternalConfigSelector}) whose per-call interceptor starts the call on the
 * registered client's mesh channel. The channel's own transports, credentials and service config
 * are therefore not used; what this path does not give is listed in {@code docs/grpc.md} and logged
 * once when such a channel is built. Targets: {@code mesh:///ratings}, {@code mesh:ratings} and
 * {@code mesh://authority/ratings} (the authority is ignored).
 *
 * <p>Public only because {@link java.util.ServiceLoader} needs it; applications do not call it.
 */
public final class MeshNameResolverProvider extends NameResolverProvider {
  /** The channels already told what this path does not give, so each is told once. */
  private static final Set<NameResolver.Args> reported =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** For {@link java.util.ServiceLoader}. */
  public MeshNameResolverProvider() {}

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!MeshGrpc.TARGET_SCHEME.equalsIgnoreCase(targetUri.getScheme())) {
      return null;
    }
    String target = targetUri.toString();
    String service = MeshGrpc.serviceOf(target);
    // grpc-java makes a new resolver from the same arguments when the channel leaves idle mode.
    boolean report = reported.add(args);
    return new MeshNameResolver(target, service, args, report);
  }

  @Override
  public String getDefaultScheme() {
    return MeshGrpc.TARGET_SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }
}
