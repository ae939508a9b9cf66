package dev.weft.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.config.file.MeshConfigYaml;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenariosTest {

  @Test
  void everyScenarioIsAValidConfigurationWithTheApplicationsEndpoints() {
    Scenarios.Ports ports = Scenarios.Ports.from(9080);
    for (String name : Scenarios.NAMES) {
      String yaml = Scenarios.render(name, ports);
      MeshConfig config =
          MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), name + ".yaml");
      assertThat(config.cluster("reviews"))
          .as(name)
          .hasValueSatisfying(c -> assertThat(c.endpoints()).hasSize(3));
      assertThat(config.service("productpage")).as(name).isPresent();
      assertThat(config.service("ratings")).as(name).isPresent();
    }
  }

  @Test
  void clustersWithMutualTlsGetTheTlsPortsAndTheOthersThePlaintextOnes() {
    Scenarios.Ports ports = Scenarios.Ports.from(9080);
    for (String name : Scenarios.NAMES) {
      MeshConfig config =
          MeshConfigYaml.read(
              Scenarios.render(name, ports).getBytes(StandardCharsets.UTF_8), name + ".yaml");
      for (String cluster : List.of("productpage", "details", "reviews", "ratings")) {
        Cluster c = config.cluster(cluster).orElseThrow();
        boolean mutual = c.tls().mode() == TlsSettings.Mode.MUTUAL;
        assertThat(c.endpoints())
            .as(name + " " + cluster)
            .allSatisfy(
                e -> assertThat(e.port()).isBetween(mutual ? 9180 : 9080, mutual ? 9185 : 9085));
      }
    }
    MeshConfig strict =
        MeshConfigYaml.read(
            Scenarios.render("strict-mtls", ports).getBytes(StandardCharsets.UTF_8),
            "strict-mtls.yaml");
    assertThat(strict.cluster("ratings").orElseThrow().endpoints())
        .singleElement()
        .satisfies(e -> assertThat(e.port()).isEqualTo(9185));
    assertThat(strict.cluster("reviews").orElseThrow().tls().subjectAltNames())
        .containsExactly(Identities.spiffeId("reviews"));
    assertThat(strict.authorizationPolicies())
        .extracting(AuthorizationPolicy::name)
        .containsExactly(
            "deny-without-identity",
            "productpage-viewer",
            "details-viewer",
            "reviews-viewer",
            "ratings-viewer");
    MeshConfig plain =
        MeshConfigYaml.read(
            Scenarios.render("default", ports).getBytes(StandardCharsets.UTF_8), "default.yaml");
    assertThat(plain.authorizationPolicies()).isEmpty();
  }

  @Test
  void theStrictScenarioNamesTheIdentitiesTheApplicationMints() {
    String yaml = Scenarios.render("strict-mtls", Scenarios.Ports.from(9080));
    for (String account : List.of("productpage", "details", "reviews", "ratings")) {
      assertThat(yaml).contains(Identities.spiffeId(account));
    }
  }

  @Test
  void theDefaultTlsPortsAreAHundredAboveThePlaintextOnes() {
    Scenarios.Ports ports = Scenarios.Ports.from(19080);
    assertThat(ports.productpageTls()).isEqualTo(19180);
    assertThat(ports.ratingsTls()).isEqualTo(19185);
    assertThat(ports.all()).doesNotHaveDuplicates().hasSize(12);
  }

  @Test
  void anUnknownScenarioIsRefusedWithTheListOfKnownOnes() {
    assertThatThrownBy(() -> Scenarios.render("nope", Scenarios.Ports.from(9080)))
        .hasMessageContaining("unknown scenario 'nope'")
        .hasMessageContaining("jason-v2");
  }

  @Test
  void optionsParse() {
    BookInfo.Options o =
        BookInfo.Options.parse(
            new String[] {"--duration", "0", "--base-port", "19080", "--scenario", "all-v3"});
    assertThat(o.duration).isZero();
    assertThat(o.basePort).isEqualTo(19080);
    assertThat(o.scenario).isEqualTo("all-v3");
    BookInfo.Options s = BookInfo.Options.parse(new String[] {"scenario", "jason-v2"});
    assertThat(s.command).isEqualTo("scenario");
    assertThat(s.scenario).isEqualTo("jason-v2");
    assertThat(BookInfo.Options.duration("2m")).hasSeconds(120);
    assertThatThrownBy(
            () ->
                BookInfo.Options.parse(
                    new String[] {"--source", "xds", "--scenario", "strict-mtls"}))
        .hasMessageContaining("strict-mtls needs --source file");
  }
}
