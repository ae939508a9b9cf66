package dev.weft.mesh.xds.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapLoaderTest {
  static final String MINIMAL =
      """
      {"xds_servers": [{"server_uri": "istiod.istio-system.svc:15010", "channel_creds": [{"type": "google_default"}, {"type": "insecure"}],
        "server_features": ["xds_v3", "ignore_resource_deletion"]}],
       "node": {"id": "n1", "cluster": "c1", "locality": {"region": "r", "zone": "z", "sub_zone": "s"}, "metadata": {"k": [1, true, "x"]}}}
      """;

  @Test
  void readsIstiosInjectedBootstrapUnchanged() throws Exception {
    Bootstrap b =
        BootstrapLoader.fromFile(
            Path.of(getClass().getResource("/xds/istio-grpc-bootstrap.json").toURI()));
    assertThat(b.servers())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.serverUri()).isEqualTo("unix:///etc/istio/proxy/XDS");
              assertThat(s.credentials()).isEqualTo(Bootstrap.ChannelCredentials.INSECURE);
              assertThat(s.serverFeatures()).containsExactly("xds_v3");
              assertThat(s.ignoreResourceDeletion()).isFalse();
            });
    assertThat(b.node().id()).startsWith("sidecar~10.244.0.21~");
    assertThat(b.node().metadata()).containsEntry("GENERATOR", "grpc").containsKey("PROXY_CONFIG");
    assertThat(b.node().locality()).isEqualTo(Bootstrap.Locality.NONE);
    assertThat(b.certificateProvider("default"))
        .hasValueSatisfying(
            p -> {
              assertThat(p.pluginName()).isEqualTo("file_watcher");
              assertThat(p.certificateFile()).isEqualTo("/var/lib/istio/data/cert-chain.pem");
              assertThat(p.privateKeyFile()).isEqualTo("/var/lib/istio/data/key.pem");
              assertThat(p.caCertificateFile()).isEqualTo("/var/lib/istio/data/root-cert.pem");
              assertThat(p.refreshInterval()).isEqualTo(Duration.ofSeconds(900));
            });
    assertThat(b.serverListenerResourceNameTemplate())
        .isEqualTo("xds.istio.io/grpc/lds/inbound/%s");
    assertThat(b.clientDefaultListenerResourceNameTemplate()).isEqualTo("%s");
  }

  @Test
  void takesTheFirstSupportedCredentialsAndServerFeatures() {
    Bootstrap b = BootstrapLoader.parse(MINIMAL, "test");
    assertThat(b.servers().get(0).credentials().type()).isEqualTo("insecure");
    assertThat(b.ignoreResourceDeletion()).isTrue();
    assertThat(b.node().locality()).isEqualTo(new Bootstrap.Locality("r", "z", "s"));
    assertThat(b.node().cluster()).isEqualTo("c1");
  }

  @Test
  void rejectsUnusableBootstrapsNamingTheField() {
    assertThatThrownBy(
            () ->
                BootstrapLoader.parse(
                    "{\"xds_servers\": [{\"server_uri\": \"x\", \"channel_creds\": [{\"type\": \"google_default\"}]}]}",
                    "inline"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("xds_servers[0].channel_creds")
        .hasMessageContaining("google_default is not supported");
    assertThatThrownBy(() -> BootstrapLoader.parse("{\"node\": {\"id\": 5}}", "inline"))
        .hasMessageContaining("xds_servers")
        .hasMessageContaining("node.id");
    assertThatThrownBy(() -> BootstrapLoader.parse("{not json", "inline"))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void looksWhereGrpcLooksInGrpcsOrder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bootstrap.json");
    Files.writeString(file, MINIMAL.replace("n1", "from-file"));
    Properties props = new Properties();
    props.setProperty(BootstrapLoader.PROPERTY_CONFIG, MINIMAL.replace("n1", "from-property"));
    assertThat(
            BootstrapLoader.fromEnvironment(
                    Map.of(BootstrapLoader.ENV_FILE, file.toString()), props)
                .node()
                .id())
        .isEqualTo("from-file");
    assertThat(
            BootstrapLoader.fromEnvironment(
                    Map.of(BootstrapLoader.ENV_CONFIG, MINIMAL.replace("n1", "from-env")), props)
                .node()
                .id())
        .isEqualTo("from-env");
    assertThat(BootstrapLoader.fromEnvironment(Map.of(), props).node().id())
        .isEqualTo("from-property");
    Properties fileProp = new Properties();
    fileProp.setProperty(BootstrapLoader.PROPERTY_FILE, file.toString());
    assertThat(BootstrapLoader.fromEnvironment(Map.of(), fileProp).node().id())
        .isEqualTo("from-file");
    assertThatThrownBy(() -> BootstrapLoader.fromEnvironment(Map.of(), new Properties()))
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP");
  }
}
