package dev.weft.mesh.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two WireMock backends (reviews v1 and v2) and a mesh configuration file that splits 80/20 between
 * them.
 */
final class TestBackends implements AutoCloseable {
  final WireMockServer v1 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  final WireMockServer v2 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  final Path configFile;

  TestBackends(Path dir) throws IOException {
    v1.start();
    v2.start();
    v1.stubFor(any(anyUrl()).willReturn(aResponse().withBody("v1")));
    v2.stubFor(any(anyUrl()).willReturn(aResponse().withBody("v2")));
    configFile = dir.resolve("mesh.yaml");
    Files.writeString(
        configFile,
        """
        version: "test-1"
        clusters:
          reviews:
            endpoints:
              - {address: 127.0.0.1:%d, labels: {version: v1}}
              - {address: 127.0.0.1:%d, labels: {version: v2}}
            subsets:
              v1: {version: v1}
              v2: {version: v2}
        services:
          reviews:
            routes:
              - name: split
                destinations:
                  - {cluster: reviews, subset: v1, weight: 80}
                  - {cluster: reviews, subset: v2, weight: 20}
        """
            .formatted(v1.port(), v2.port()));
  }

  String property() {
    return "weft.mesh.config.file=" + configFile;
  }

  @Override
  public void close() {
    v1.stop();
    v2.stop();
  }
}
