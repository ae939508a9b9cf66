package dev.weft.mesh.grpc;

import io.grpc.ConnectivityState;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver;
import io.grpc.Status;
import java.util.Map;

/**
 * The load-balancing policy {@value #POLICY_NAME} that the {@code mesh:} name resolver names in the
 * service config of its channels, found through {@link java.util.ServiceLoader}. The calls of such
 * a channel are handed to the mesh before they reach any load balancer (see {@link
 * MeshNameResolverProvider}); this policy takes the resolver's empty address list without
 * complaint, keeps the channel {@code READY} while a mesh is registered and in {@code
 * TRANSIENT_FAILURE} with the resolver's reason while none is. The only calls its picker sees are
 * wait-for-ready calls started before any mesh was registered; it fails them with {@code
 * UNAVAILABLE}.
 *
 * <p>Public only because {@link java.util.ServiceLoader} needs it; applications do not use it.
 */
public final class MeshLoadBalancerProvider extends LoadBalancerProvider {
  /** The policy's name in a service config. */
  public static final String POLICY_NAME = "weft_mesh";

  /** For {@link java.util.ServiceLoader}. */
  public MeshLoadBalancerProvider() {}

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return POLICY_NAME;
  }

  @Override
  public NameResolver.ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
    return NameResolver.ConfigOrError.fromConfig(POLICY_NAME);
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new MeshLoadBalancer(helper);
  }

  private static final class MeshLoadBalancer extends LoadBalancer {
    private static final SubchannelPicker NOT_FOR_CALLS =
        new FixedResultPicker(
            PickResult.withError(
                Status.UNAVAILABLE.withDescription(
                    "this call of a mesh: channel started before a MeshGrpc was registered as the"
                        + " default and waited for the channel to be ready; calls started from"
                        + " now on go through the mesh")));

    private final Helper helper;

    MeshLoadBalancer(Helper helper) {
      this.helper = helper;
    }

    @Override
    public Status acceptResolvedAddresses(ResolvedAddresses resolvedAddresses) {
      helper.updateBalancingState(ConnectivityState.READY, NOT_FOR_CALLS);
      return Status.OK;
    }

    @Override
    public boolean canHandleEmptyAddressListFromNameResolution() {
      return true;
    }

    @Override
    public void handleNameResolutionError(Status error) {
      helper.updateBalancingState(
          ConnectivityState.TRANSIENT_FAILURE, new FixedResultPicker(PickResult.withError(error)));
    }

    @Override
    public void shutdown() {}
  }
}
