package dev.weft.mesh.xds.bootstrap;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An xDS bootstrap in gRPC's format (gRFC A27): who this client is, which management servers to
 * ask, and the certificate providers that TLS settings refer to. Load one with {@link
 * BootstrapLoader}.
 *
 * @param node the identity sent to the management server
 * @param servers the management servers, in order of preference (later ones are fallbacks, gRFC
 *     A71)
 * @param certificateProviders certificate provider instances by instance name
 * @param serverListenerResourceNameTemplate the template for server-side listener names, or empty
 * @param clientDefaultListenerResourceNameTemplate the template that turns an {@code xds:///name}
 *     target into a listener name; {@code %s} by default
 */
public record Bootstrap(
    Node node,
    List<ServerInfo> servers,
    Map<String, CertificateProvider> certificateProviders,
    String serverListenerResourceNameTemplate,
    String clientDefaultListenerResourceNameTemplate) {

  public Bootstrap {
    requireNonNull(node, "node");
    servers = List.copyOf(servers);
    certificateProviders = Map.copyOf(certificateProviders);
    requireNonNull(serverListenerResourceNameTemplate, "serverListenerResourceNameTemplate");
    requireNonNull(
        clientDefaultListenerResourceNameTemplate, "clientDefaultListenerResourceNameTemplate");
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("a bootstrap needs at least one xds server");
    }
  }

  /** A bootstrap for one plaintext server, for tests and simple setups. */
  public static Bootstrap forServer(String serverUri, String nodeId) {
    return new Bootstrap(
        new Node(nodeId, "", Map.of(), Locality.NONE, "weft"),
        List.of(new ServerInfo(serverUri, ChannelCredentials.INSECURE, List.of())),
        Map.of(),
        "",
        "%s");
  }

  /** This bootstrap with {@code template} as its server listener resource name template. */
  public Bootstrap withServerListenerResourceNameTemplate(String template) {
    return new Bootstrap(
        node, servers, certificateProviders, template, clientDefaultListenerResourceNameTemplate);
  }

  /**
   * This bootstrap with the URI of every server replaced (tests point a real bootstrap at
   * loopback).
   */
  public Bootstrap withServerUri(String serverUri) {
    List<ServerInfo> changed =
        servers.stream()
            .map(s -> new ServerInfo(serverUri, s.credentials(), s.serverFeatures()))
            .toList();
    return new Bootstrap(
        node,
        changed,
        certificateProviders,
        serverListenerResourceNameTemplate,
        clientDefaultListenerResourceNameTemplate);
  }

  /**
   * The client's identity.
   *
   * @param id the node id; Istio encodes the pod here ({@code
   *     sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local})
   * @param cluster the service cluster
   * @param metadata free-form metadata (plain JSON values: strings, numbers, booleans, lists, maps)
   * @param locality where the client runs
   * @param userAgentName the user agent sent to the server
   */
  public record Node(
      String id,
      String cluster,
      Map<String, Object> metadata,
      Locality locality,
      String userAgentName) {
    public Node {
      requireNonNull(id, "id");
      requireNonNull(cluster, "cluster");
      metadata = Map.copyOf(metadata);
      requireNonNull(locality, "locality");
      requireNonNull(userAgentName, "userAgentName");
    }
  }

  /** Where the client runs; empty strings mean "unspecified". */
  public record Locality(String region, String zone, String subZone) {
    public static final Locality NONE = new Locality("", "", "");

    public Locality {
      requireNonNull(region, "region");
      requireNonNull(zone, "zone");
      requireNonNull(subZone, "subZone");
    }
  }

  /**
   * One management server.
   *
   * @param serverUri a gRPC target, for example {@code istiod.istio-system.svc:15010} or {@code
   *     unix:///etc/istio/proxy/XDS}
   * @param credentials how the channel to it is secured (the first supported entry of {@code
   *     channel_creds})
   * @param serverFeatures the server features listed, for example {@code ignore_resource_deletion}
   */
  public record ServerInfo(
      String serverUri, ChannelCredentials credentials, List<String> serverFeatures) {
    public static final String IGNORE_RESOURCE_DELETION = "ignore_resource_deletion";

    public ServerInfo {
      requireNonNull(serverUri, "serverUri");
      requireNonNull(credentials, "credentials");
      serverFeatures = List.copyOf(serverFeatures);
    }

    /** Whether the server asked clients to keep LDS and CDS resources it stops sending. */
    public boolean ignoreResourceDeletion() {
      return serverFeatures.contains(IGNORE_RESOURCE_DELETION);
    }
  }

  /**
   * Channel credentials for a management server.
   *
   * @param type {@code insecure} or {@code tls}
   * @param caCertificateFile for {@code tls}: a PEM file of trusted CAs, or empty for the system's
   * @param certificateFile for {@code tls}: the client certificate chain for mutual TLS, or empty
   * @param privateKeyFile for {@code tls}: the client key for mutual TLS, or empty
   */
  public record ChannelCredentials(
      String type, String caCertificateFile, String certificateFile, String privateKeyFile) {
    public static final ChannelCredentials INSECURE =
        new ChannelCredentials("insecure", "", "", "");

    public ChannelCredentials {
      requireNonNull(type, "type");
      requireNonNull(caCertificateFile, "caCertificateFile");
      requireNonNull(certificateFile, "certificateFile");
      requireNonNull(privateKeyFile, "privateKeyFile");
    }

    public boolean isTls() {
      return type.equals("tls");
    }
  }

  /**
   * A certificate provider instance. Only {@code file_watcher} is understood; its paths are
   * recorded for the security module, which reads and watches the files.
   *
   * @param instanceName the name cluster TLS settings refer to
   * @param pluginName the plugin, for example {@code file_watcher}
   * @param certificateFile the certificate chain file, or empty
   * @param privateKeyFile the private key file, or empty
   * @param caCertificateFile the CA bundle file, or empty
   * @param refreshInterval how often the files are re-read
   */
  public record CertificateProvider(
      String instanceName,
      String pluginName,
      String certificateFile,
      String privateKeyFile,
      String caCertificateFile,
      Duration refreshInterval) {
    public CertificateProvider {
      requireNonNull(instanceName, "instanceName");
      requireNonNull(pluginName, "pluginName");
      requireNonNull(certificateFile, "certificateFile");
      requireNonNull(privateKeyFile, "privateKeyFile");
      requireNonNull(caCertificateFile, "caCertificateFile");
      requireNonNull(refreshInterval, "refreshInterval");
    }
  }

  /** The certificate provider with this instance name, if declared. */
  public Optional<CertificateProvider> certificateProvider(String instanceName) {
    return Optional.ofNullable(certificateProviders.get(instanceName));
  }

  /** Whether the first server asked clients to keep LDS and CDS resources it stops sending. */
  public boolean ignoreResourceDeletion() {
    return servers.get(0).ignoreResourceDeletion();
  }
}
