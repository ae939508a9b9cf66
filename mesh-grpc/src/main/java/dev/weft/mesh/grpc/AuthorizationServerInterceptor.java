package dev.weft.mesh.grpc;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestHeaders;
import dev.weft.mesh.security.RequestPrincipal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Reads the caller's identity from the call's TLS session, enforces authorization (when an enforcer
 * is given), and runs allowed calls with the identity in {@link MeshGrpcSecurity#PEER_IDENTITY}.
 */
final class AuthorizationServerInterceptor implements ServerInterceptor {
  private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>() {};

  private final AuthorizationEnforcer enforcer;

  AuthorizationServerInterceptor(AuthorizationEnforcer enforcer) {
    this.enforcer = enforcer;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Optional<PeerIdentity> caller = PeerIdentity.from(session);
    Optional<RequestPrincipal> user = Optional.empty();
    if (enforcer != null) {
      AuthorizationEnforcer.Enforcement checked =
          enforcer.checkGrpc(
              caller,
              call.getMethodDescriptor().getFullMethodName(),
              headers(headers, call.getAuthority()));
      Decision decision = checked.decision();
      if (decision.denied()) {
        // the audit log has the policy and rule; the caller learns only that it was denied
        Status status =
            decision.unauthenticated() ? Status.UNAUTHENTICATED : Status.PERMISSION_DENIED;
        call.close(status.withDescription(decision.publicReason()), new Metadata());
        return (ServerCall.Listener<ReqT>) NOOP;
      }
      edit(headers, checked);
      user = checked.requestPrincipal();
    }
    if (caller.isEmpty() && user.isEmpty()) {
      return next.startCall(call, headers);
    }
    Context context = Context.current();
    if (caller.isPresent()) {
      context = context.withValue(MeshGrpcSecurity.PEER_IDENTITY, caller.get());
    }
    if (user.isPresent()) {
      context = context.withValue(MeshGrpcSecurity.REQUEST_PRINCIPAL, user.get());
    }
    return Contexts.interceptCall(context, call, headers, next);
  }

  /**
   * Removes the metadata that verified claims are copied into (whatever the caller sent) and the
   * token's own key unless it is forwarded, then sets the claims.
   */
  private static void edit(Metadata headers, AuthorizationEnforcer.Enforcement checked) {
    if (!checked.changesHeaders()) {
      return;
    }
    for (String name : checked.removeHeaders()) {
      headers.discardAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
    checked
        .setHeaders()
        .forEach(
            (name, value) ->
                headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
  }

  /**
   * Metadata as headers for policies: every value of an ASCII key; binary keys have none; {@code
   * host} is the call's authority, as for HTTP (the authorizer reads {@code :authority} as {@code
   * host}).
   */
  static RequestHeaders headers(Metadata metadata, String authority) {
    return name -> {
      if (name.equals("host")) { // the authorizer reads :authority as host
        return authority == null ? List.of() : List.of(authority);
      }
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX) || name.startsWith(":")) {
        return List.of();
      }
      try {
        Iterable<String> values =
            metadata.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        if (values == null) {
          return List.of();
        }
        List<String> out = new ArrayList<>(2);
        values.forEach(out::add);
        return out;
      } catch (IllegalArgumentException invalidName) {
        return List.of();
      }
    };
  }
}
