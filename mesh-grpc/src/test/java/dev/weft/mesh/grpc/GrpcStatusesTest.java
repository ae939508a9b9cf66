package dev.weft.mesh.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.spi.AttemptOutcome;
import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcStatusesTest {
  private static final long MS = 1_000_000L;

  @Test
  void statusesBecomeGrpcOutcomes() {
    assertThat(GrpcStatuses.outcome(Status.OK, false, 5 * MS, 100 * MS))
        .isEqualTo(AttemptOutcome.grpc(0));
    assertThat(GrpcStatuses.outcome(Status.UNAVAILABLE, false, 5 * MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.grpc("UNAVAILABLE"));
    assertThat(GrpcStatuses.outcome(Status.RESOURCE_EXHAUSTED, false, 5 * MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.grpc("RESOURCE_EXHAUSTED"));
  }

  @Test
  void connectFailuresAreToldApart() {
    Status refused =
        Status.UNAVAILABLE.withCause(
            new IOException("io exception", new ConnectException("Connection refused")));
    assertThat(GrpcStatuses.outcome(refused, false, MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.CONNECT_FAILURE);
  }

  @Test
  void connectionFailuresAreExplained() {
    Status handshake =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(
                new javax.net.ssl.SSLHandshakeException(
                    "server identity mismatch: expected [a] but the server presented b"));
    assertThat(
            GrpcStatuses.explainConnectionFailure(handshake, "127.0.0.1:1", TlsSettings.Mode.MUTUAL)
                .getDescription())
        .isEqualTo(
            "TLS handshake with 127.0.0.1:1 failed: server identity mismatch: expected [a] but the server presented b");

    Status reset =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new IOException("Connection reset by peer"));
    assertThat(
            GrpcStatuses.explainConnectionFailure(reset, "127.0.0.1:1", TlsSettings.Mode.DISABLED)
                .getDescription())
        .contains("closed by the server (io exception: Connection reset by peer)")
        .contains("TLS mode is DISABLED");
    assertThat(GrpcStatuses.explainConnectionFailure(reset, "127.0.0.1:1", TlsSettings.Mode.MUTUAL))
        .isSameAs(reset);

    Status refused =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new IOException("io exception", new ConnectException("Connection refused")));
    assertThat(
            GrpcStatuses.explainConnectionFailure(
                refused, "127.0.0.1:1", TlsSettings.Mode.DISABLED))
        .isSameAs(refused);
    Status notFound = Status.NOT_FOUND.withDescription("io exception");
    assertThat(
            GrpcStatuses.explainConnectionFailure(
                notFound, "127.0.0.1:1", TlsSettings.Mode.DISABLED))
        .isSameAs(notFound);
  }

  @Test
  void streamResetsByTheServerAreTransportFailures() {
    Status reset =
        Status.CANCELLED.withDescription("RST_STREAM closed stream. HTTP/2 error code: CANCEL");
    assertThat(GrpcStatuses.outcome(reset, false, MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.RESET);
    Status refused =
        Status.UNAVAILABLE.withDescription(
            "RST_STREAM closed stream. HTTP/2 error code: REFUSED_STREAM");
    assertThat(GrpcStatuses.outcome(refused, false, MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.REFUSED_STREAM);
    assertThat(GrpcStatuses.outcome(reset, true, MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.CANCELLED);
  }

  @Test
  void ownDeadlineIsATimeoutAndAServersDeadlineIsAStatus() {
    assertThat(GrpcStatuses.outcome(Status.DEADLINE_EXCEEDED, false, 200 * MS, 200 * MS))
        .isEqualTo(AttemptOutcome.TIMEOUT);
    assertThat(GrpcStatuses.outcome(Status.DEADLINE_EXCEEDED, false, 20 * MS, 200 * MS))
        .isEqualTo(AttemptOutcome.grpc("DEADLINE_EXCEEDED"));
  }

  @Test
  void cancellationByTheMeshIsCancelledAndByTheServerAStatus() {
    assertThat(GrpcStatuses.outcome(Status.CANCELLED, true, MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.CANCELLED);
    assertThat(GrpcStatuses.outcome(Status.CANCELLED, false, MS, Long.MAX_VALUE))
        .isEqualTo(AttemptOutcome.grpc("CANCELLED"));
  }

  @Test
  void meshFailuresMapToStatuses() {
    assertThat(
            GrpcStatuses.fromMeshException(
                    new MeshException(MeshException.Reason.ALL_EJECTED, "all gone"))
                .getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            GrpcStatuses.fromMeshException(
                    new MeshException(MeshException.Reason.DEADLINE_EXCEEDED, "late"))
                .getCode())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(
            GrpcStatuses.fromMeshException(
                    new dev.weft.mesh.api.UnknownServiceException("x", List.of("y")))
                .getDescription())
        .contains("unknown service 'x'");
    assertThat(
            GrpcStatuses.fromMeshException(new InjectedFaultException(503, "DATA_LOSS", "r"))
                .getCode())
        .isEqualTo(Status.Code.DATA_LOSS);
  }

  @Test
  void httpStatusesMapAsGrpcDocumentsThem() {
    assertThat(GrpcStatuses.fromHttpStatus(400).getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(GrpcStatuses.fromHttpStatus(401).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(GrpcStatuses.fromHttpStatus(403).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(GrpcStatuses.fromHttpStatus(404).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(GrpcStatuses.fromHttpStatus(429).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcStatuses.fromHttpStatus(502).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcStatuses.fromHttpStatus(503).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcStatuses.fromHttpStatus(504).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcStatuses.fromHttpStatus(500).getCode()).isEqualTo(Status.Code.UNKNOWN);
  }
}
