package dev.weft.mesh.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.api.security.RequestAuthentication;
import dev.weft.mesh.api.security.RequestAuthentication.ClaimToHeader;
import dev.weft.mesh.api.security.RequestAuthentication.JwtRule;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.testing.jwt.TestIssuer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End-user tokens on a grpc-java Netty server behind the mesh's server interceptor. */
class RequestAuthenticationGrpcTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> X_USER =
      Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER);

  private TestIssuer issuer;
  private AuthorizationEnforcer enforcer;
  private Server server;
  private ManagedChannel channel;

  /** Answers "principal|x-user|authorization" as the handler sees them. */
  static final class WhoIsTheUser extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      var user = MeshGrpcSecurity.REQUEST_PRINCIPAL.get();
      Metadata seen = HEADERS.get();
      String answer =
          (user == null ? "anonymous" : user.getName())
              + "|"
              + seen.get(X_USER)
              + "|"
              + (seen.get(AUTHORIZATION) == null ? "no-token" : "token");
      out.onNext(SimpleResponse.newBuilder().setResponseMessage(answer).build());
      out.onCompleted();
    }
  }

  static final io.grpc.Context.Key<Metadata> HEADERS = io.grpc.Context.key("headers");

  @BeforeEach
  void start() throws Exception {
    issuer = TestIssuer.start("https://issuer.test");
    enforcer = AuthorizationEnforcer.builder().build();
    JwtRule rule =
        new JwtRule(
            issuer.issuer(),
            List.of("bookinfo"),
            issuer.jwksUri(),
            null,
            List.of(),
            List.of(),
            List.of(new ClaimToHeader("x-user", "sub")),
            false,
            null,
            null,
            null);
    MeshConfig config =
        MeshConfig.builder()
            .requestAuthentication(RequestAuthentication.of("jwt", rule))
            .authorizationPolicy(
                AuthorizationPolicy.of(
                    "require-jwt", Action.ALLOW, Rule.from(Source.requestPrincipals("*"))))
            .build();
    enforcer.update(config, "reviews");
    io.grpc.ServerInterceptor capture =
        new io.grpc.ServerInterceptor() {
          @Override
          public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
              io.grpc.ServerCall<Q, R> call,
              Metadata headers,
              io.grpc.ServerCallHandler<Q, R> next) {
            return io.grpc.Contexts.interceptCall(
                io.grpc.Context.current().withValue(HEADERS, headers), call, headers, next);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                io.grpc.ServerInterceptors.intercept(
                    new WhoIsTheUser(), capture, MeshGrpcSecurity.authorization(enforcer)))
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    issuer.close();
  }

  private String call(String token, String spoofedUser) {
    Metadata headers = new Metadata();
    if (token != null) {
      headers.put(AUTHORIZATION, "Bearer " + token);
    }
    if (spoofedUser != null) {
      headers.put(X_USER, spoofedUser);
    }
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  @Test
  void aValidTokenReachesTheHandlerWithItsPrincipalAndClaimHeader() {
    String token = issuer.token(c -> c.subject("alice").audience("bookinfo"));
    // the caller's own x-user is replaced by the verified claim; the token is not forwarded
    assertThat(call(token, "admin")).isEqualTo("https://issuer.test/alice|alice|no-token");
  }

  @Test
  void anInvalidTokenIsUnauthenticatedAndNoTokenIsDeniedByThePolicy() {
    String expired =
        issuer.token(
            c ->
                c.subject("alice")
                    .audience("bookinfo")
                    .expirationTime(new Date(System.currentTimeMillis() - 300_000)));
    assertThatThrownBy(() -> call(expired, null))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              // the caller is not told the details (they are in the audit log)
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("the request's token is not valid");
            });
    String wrongAudience = issuer.token(c -> c.subject("alice").audience("other"));
    assertThatThrownBy(() -> call(wrongAudience, null))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> call(null, "admin"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
  }
}
