package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.SpiffeId;
import java.util.Optional;

/**
 * What the authorizer needs to know about one incoming request, in protocol-neutral terms.
 *
 * @param caller the caller's verified identity; empty for plaintext or an anonymous TLS client
 * @param path the HTTP path without its query, or the gRPC method as {@code
 *     /package.Service/Method}
 * @param method the HTTP method ({@code POST} for gRPC)
 * @param headers the request headers or gRPC metadata
 * @param requestPrincipal the end user, from a token a request authentication verified; empty for a
 *     request without one
 */
public record AuthorizationRequest(
    Optional<PeerIdentity> caller,
    String path,
    String method,
    RequestHeaders headers,
    Optional<RequestPrincipal> requestPrincipal) {

  public AuthorizationRequest {
    requireNonNull(caller, "caller");
    requireNonNull(requestPrincipal, "requestPrincipal");
    requireNonNull(path, "path");
    requireNonNull(method, "method");
    requireNonNull(headers, "headers");
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
  }

  /** A request without an end-user principal. */
  public AuthorizationRequest(
      Optional<PeerIdentity> caller, String path, String method, RequestHeaders headers) {
    this(caller, path, method, headers, Optional.empty());
  }

  /** This request with {@code principal} as its end user. */
  public AuthorizationRequest withRequestPrincipal(Optional<RequestPrincipal> principal) {
    return new AuthorizationRequest(caller, path, method, headers, principal);
  }

  /** A gRPC call: method {@code POST}, path {@code /package.Service/Method}. */
  public static AuthorizationRequest grpc(
      Optional<PeerIdentity> caller, String fullMethodName, RequestHeaders metadata) {
    String path = fullMethodName.startsWith("/") ? fullMethodName : "/" + fullMethodName;
    return new AuthorizationRequest(caller, path, "POST", metadata);
  }

  /** The caller's SPIFFE ID, if any. */
  public Optional<SpiffeId> callerId() {
    return caller.map(PeerIdentity::spiffeId);
  }
}
