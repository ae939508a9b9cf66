package dev.weft.chaos;

import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The workloads' certificates from one development CA, written to files, and the {@link
 * WorkloadTls}s over them; {@link #rotate} re-issues every certificate and reloads.
 */
final class Certs implements AutoCloseable {
  static final String TRUST_DOMAIN = "weft.test";
  static final String CLIENT = "spiffe://weft.test/ns/chaos/sa/client";
  static final String GRPC_SERVER = "spiffe://weft.test/ns/chaos/sa/grpc-backend";
  static final String HTTP_SERVER = "spiffe://weft.test/ns/chaos/sa/http-backend";

  /** One workload's files. */
  record Files(Path chain, Path key, Path ca) {}

  private final DevCertificateAuthority ca = DevCertificates.newAuthority("weft chaos CA");
  final Files clientFiles;
  final Files grpcFiles;
  final Files httpFiles;
  final WorkloadTls client;
  final WorkloadTls grpcServer;
  final WorkloadTls httpServer;
  private int rotations;

  Certs(Path dir) throws IOException {
    clientFiles = files(dir, "client");
    grpcFiles = files(dir, "grpc");
    httpFiles = files(dir, "http");
    issueAll();
    ca.writeCertificate(clientFiles.ca());
    ca.writeCertificate(grpcFiles.ca());
    ca.writeCertificate(httpFiles.ca());
    client = tls(clientFiles);
    grpcServer = tls(grpcFiles);
    httpServer = tls(httpFiles);
  }

  private static Files files(Path dir, String name) {
    return new Files(
        dir.resolve(name + "-chain.pem"),
        dir.resolve(name + "-key.pem"),
        dir.resolve(name + "-ca.pem"));
  }

  private void issueAll() throws IOException {
    ca.workload(CLIENT).issue().writeTo(clientFiles.chain(), clientFiles.key());
    ca.workload(GRPC_SERVER)
        .ipAddresses("127.0.0.1")
        .issue()
        .writeTo(grpcFiles.chain(), grpcFiles.key());
    ca.workload(HTTP_SERVER)
        .ipAddresses("127.0.0.1")
        .issue()
        .writeTo(httpFiles.chain(), httpFiles.key());
  }

  private static WorkloadTls tls(Files f) {
    return WorkloadTls.builder()
        .identity(f.chain(), f.key())
        .caCertificates(f.ca())
        .trustDomains(TRUST_DOMAIN)
        .build();
  }

  /** Re-issues the client's and both servers' certificates and reloads them; how many reloaded. */
  int rotate() throws IOException {
    issueAll();
    int reloaded = 0;
    for (WorkloadTls t : List.of(client, grpcServer, httpServer)) {
      if (t.keyManager().reload()) {
        reloaded++;
      }
    }
    rotations++;
    return reloaded;
  }

  int rotations() {
    return rotations;
  }

  @Override
  public void close() {
    client.close();
    grpcServer.close();
    httpServer.close();
  }
}
