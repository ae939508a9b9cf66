package dev.weft.mesh.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Configuration of the Weft mesh, under {@code weft.mesh}. */
@ConfigurationProperties("weft.mesh")
public class MeshProperties {

  /** Whether to auto-configure the mesh at all. */
  private boolean enabled = true;

  /** Name of the mesh, used in logs, thread names and the config dump. */
  private String name = "default";

  /**
   * How long a call without a deadline waits for the mesh's first configuration before it fails
   * with NOT_READY (in the fail-fast startup mode, how long start-up waits for it).
   */
  private Duration startupWait = Duration.ofSeconds(10);

  private final Config config = new Config();

  private final Xds xds = new Xds();

  private final Http http = new Http();

  private final Clients clients = new Clients();

  private final Security security = new Security();

  private final Server server = new Server();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Duration getStartupWait() {
    return startupWait;
  }

  public void setStartupWait(Duration startupWait) {
    this.startupWait = startupWait;
  }

  public Config getConfig() {
    return config;
  }

  public Xds getXds() {
    return xds;
  }

  public Http getHttp() {
    return http;
  }

  public Clients getClients() {
    return clients;
  }

  public Security getSecurity() {
    return security;
  }

  public Server getServer() {
    return server;
  }

  /** Where the mesh configuration comes from. */
  public static class Config {

    /** Path of the YAML mesh configuration file; it is watched and reloaded when it changes. */
    private Path file;

    /**
     * How often the configuration file is compared with what was loaded, in case file-system events
     * are missed.
     */
    private Duration pollInterval = Duration.ofSeconds(1);

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }
  }

  /** An xDS control plane as the configuration source (used when no configuration file is set). */
  public static class Xds {

    /**
     * The xDS targets to watch, for example xds:///reviews.default.svc.cluster.local:9080; setting
     * any turns the xDS source on.
     */
    private List<String> targets = new ArrayList<>();

    /**
     * Path of a gRPC-format xDS bootstrap file; unset means GRPC_XDS_BOOTSTRAP /
     * GRPC_XDS_BOOTSTRAP_CONFIG, as gRPC reads them.
     */
    private Path bootstrap;

    /**
     * Directory for an on-disk copy of the last accepted resources, so a restart can serve while
     * the control plane is down.
     */
    private Path cacheDirectory;

    /**
     * Address the application's servers listen on (such as 0.0.0.0:9080): the server Listener the
     * bootstrap's server_listener_resource_name_template names for it is watched, and its RBAC
     * filters become the authorization policies (gRFC A41).
     */
    private String serverListener;

    public String getServerListener() {
      return serverListener;
    }

    public void setServerListener(String serverListener) {
      this.serverListener = serverListener;
    }

    public List<String> getTargets() {
      return targets;
    }

    public void setTargets(List<String> targets) {
      this.targets = targets;
    }

    public Path getBootstrap() {
      return bootstrap;
    }

    public void setBootstrap(Path bootstrap) {
      this.bootstrap = bootstrap;
    }

    public Path getCacheDirectory() {
      return cacheDirectory;
    }

    public void setCacheDirectory(Path cacheDirectory) {
      this.cacheDirectory = cacheDirectory;
    }
  }

  /** The mesh's HTTP client. */
  public static class Http {

    /** How long connecting to an endpoint may take. */
    private Duration connectTimeout = Duration.ofSeconds(5);

    /** Overall timeout of requests that carry none; unset means only route timeouts apply. */
    private Duration defaultTimeout;

    /**
     * Whether RestClient-based HTTP service groups send requests for mesh services (such as
     * http://reviews/...) through the mesh.
     */
    private boolean restClient = true;

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    public Duration getDefaultTimeout() {
      return defaultTimeout;
    }

    public void setDefaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = defaultTimeout;
    }

    public boolean isRestClient() {
      return restClient;
    }

    public void setRestClient(boolean restClient) {
      this.restClient = restClient;
    }

    /**
     * Whether RestTemplates built from RestTemplateBuilder send requests for mesh services through
     * the mesh (needs mesh-http-spring).
     */
    private boolean restTemplate = true;

    /**
     * Whether WebClient builders from the context send requests for mesh services through the mesh
     * (needs mesh-http-spring).
     */
    private boolean webClient = true;

    public boolean isRestTemplate() {
      return restTemplate;
    }

    public void setRestTemplate(boolean restTemplate) {
      this.restTemplate = restTemplate;
    }

    public boolean isWebClient() {
      return webClient;
    }

    public void setWebClient(boolean webClient) {
      this.webClient = webClient;
    }
  }

  /** Annotated {@code @MeshClient} interfaces registered as beans. */
  public static class Clients {

    /**
     * Packages scanned for @MeshClient interfaces, in addition to those named
     * by @EnableMeshClients.
     */
    private List<String> basePackages = new ArrayList<>();

    public List<String> getBasePackages() {
      return basePackages;
    }

    public void setBasePackages(List<String> basePackages) {
      this.basePackages = basePackages;
    }
  }

  /**
   * The workload's own identity for mutual TLS: setting the certificate chain turns it on for the
   * mesh's gRPC and HTTP clients (clusters opt in with their {@code tls} block) and registers an
   * SSL bundle that the application's servers can use.
   */
  public static class Security {

    /**
     * PEM file with this workload's certificate (a SPIFFE X.509-SVID) followed by any intermediate
     * CAs; setting it turns mutual TLS on.
     */
    private Path certificateChain;

    /**
     * PEM file with the private key of the workload certificate (PKCS#8, PKCS#1 or SEC1,
     * unencrypted).
     */
    private Path privateKey;

    /** PEM file with the CA certificates trusted to sign peers' certificates. */
    private Path caCertificates;

    /** SPIFFE trust domains peers must belong to; empty accepts any the CAs vouch for. */
    private List<String> trustDomains = new ArrayList<>();

    /**
     * How often the certificate files are checked for new content (rotation); new handshakes use
     * new material at once.
     */
    private Duration refreshInterval = Duration.ofSeconds(10);

    /**
     * Name of the SSL bundle registered with the workload's certificate, for server.ssl.bundle or
     * spring.grpc.server.ssl.bundle.
     */
    private String sslBundle = "weft";

    public Path getCertificateChain() {
      return certificateChain;
    }

    public void setCertificateChain(Path certificateChain) {
      this.certificateChain = certificateChain;
    }

    public Path getPrivateKey() {
      return privateKey;
    }

    public void setPrivateKey(Path privateKey) {
      this.privateKey = privateKey;
    }

    public Path getCaCertificates() {
      return caCertificates;
    }

    public void setCaCertificates(Path caCertificates) {
      this.caCertificates = caCertificates;
    }

    public List<String> getTrustDomains() {
      return trustDomains;
    }

    public void setTrustDomains(List<String> trustDomains) {
      this.trustDomains = trustDomains;
    }

    public Duration getRefreshInterval() {
      return refreshInterval;
    }

    public void setRefreshInterval(Duration refreshInterval) {
      this.refreshInterval = refreshInterval;
    }

    public String getSslBundle() {
      return sslBundle;
    }

    public void setSslBundle(String sslBundle) {
      this.sslBundle = sslBundle;
    }
  }

  /** The service this application serves: server-side tracing, metrics and authorization. */
  public static class Server {

    /**
     * Name of the service this application serves (as callers address it); setting it installs the
     * server filter or interceptors and enforces the mesh configuration's authorization policies
     * for it.
     */
    private String service;

    /**
     * Whether requests are checked against the authorization policies of the mesh configuration
     * that apply to the service.
     */
    private boolean authorization = true;

    public String getService() {
      return service;
    }

    public void setService(String service) {
      this.service = service;
    }

    public boolean isAuthorization() {
      return authorization;
    }

    public void setAuthorization(boolean authorization) {
      this.authorization = authorization;
    }
  }
}
