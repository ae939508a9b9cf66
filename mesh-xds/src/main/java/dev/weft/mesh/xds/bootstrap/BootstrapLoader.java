package dev.weft.mesh.xds.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a {@link Bootstrap} in gRPC's JSON format, from where gRPC looks for it: {@code
 * GRPC_XDS_BOOTSTRAP} (a file), the system property {@code io.grpc.xds.bootstrap}, then {@code
 * GRPC_XDS_BOOTSTRAP_CONFIG} (inline JSON) and the system property {@code
 * io.grpc.xds.bootstrapConfig}. Fields gRPC does not define are ignored, so the bootstrap Istio
 * injects for proxyless gRPC loads unchanged.
 *
 * <p>Errors are {@link InvalidConfigException}s whose violations name the field in the bootstrap.
 */
public final class BootstrapLoader {
  public static final String ENV_FILE = "GRPC_XDS_BOOTSTRAP";
  public static final String ENV_CONFIG = "GRPC_XDS_BOOTSTRAP_CONFIG";
  public static final String PROPERTY_FILE = "io.grpc.xds.bootstrap";
  public static final String PROPERTY_CONFIG = "io.grpc.xds.bootstrapConfig";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BootstrapLoader() {}

  /** The bootstrap named by this process's environment and system properties. */
  public static Bootstrap fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperties());
  }

  /** The bootstrap named by {@code env} and {@code properties}, in gRPC's order of precedence. */
  public static Bootstrap fromEnvironment(Map<String, String> env, Properties properties) {
    String file = env.get(ENV_FILE);
    String fileOrigin = ENV_FILE;
    if (file == null || file.isBlank()) {
      file = properties.getProperty(PROPERTY_FILE);
      fileOrigin = PROPERTY_FILE;
    }
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file));
    }
    String inline = env.get(ENV_CONFIG);
    String origin = ENV_CONFIG;
    if (inline == null || inline.isBlank()) {
      inline = properties.getProperty(PROPERTY_CONFIG);
      origin = PROPERTY_CONFIG;
    }
    if (inline != null && !inline.isBlank()) {
      return parse(inline, origin);
    }
    throw new InvalidConfigException(
        "xDS bootstrap",
        List.of(
            ConfigViolation.of(
                "",
                "no bootstrap found: set "
                    + ENV_FILE
                    + " (a file), "
                    + ENV_CONFIG
                    + " (JSON), or the system property "
                    + PROPERTY_FILE
                    + " or "
                    + PROPERTY_CONFIG
                    + "; "
                    + fileOrigin
                    + " was not set")));
  }

  /** Reads the bootstrap in {@code file}. */
  public static Bootstrap fromFile(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidConfigException(
          "xDS bootstrap " + file, List.of(ConfigViolation.of("", "cannot read the file: " + e)));
    }
    return parse(json, file.toString());
  }

  /** Parses bootstrap JSON; {@code origin} names it in errors. */
  public static Bootstrap parse(String json, String origin) {
    String source = "xDS bootstrap " + origin;
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(
          source, List.of(ConfigViolation.of("", "is not valid JSON: " + e.getOriginalMessage())));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidConfigException(
          source, List.of(ConfigViolation.of("", "must be a JSON object")));
    }
    List<ConfigViolation> errors = new ArrayList<>();
    Bootstrap.Node node = parseNode(root.path("node"), errors);
    List<Bootstrap.ServerInfo> servers = parseServers(root.path("xds_servers"), errors);
    Map<String, Bootstrap.CertificateProvider> providers =
        parseProviders(root.path("certificate_providers"), errors);
    String serverTemplate =
        text(
            root,
            "server_listener_resource_name_template",
            "server_listener_resource_name_template",
            errors);
    String clientTemplate =
        root.has("client_default_listener_resource_name_template")
            ? text(
                root,
                "client_default_listener_resource_name_template",
                "client_default_listener_resource_name_template",
                errors)
            : "%s";
    if (!errors.isEmpty()) {
      throw new InvalidConfigException(source, errors);
    }
    return new Bootstrap(
        node, servers, providers, serverTemplate, clientTemplate.isEmpty() ? "%s" : clientTemplate);
  }

  private static Bootstrap.Node parseNode(JsonNode node, List<ConfigViolation> errors) {
    if (node.isMissingNode() || node.isNull()) {
      return new Bootstrap.Node("", "", Map.of(), Bootstrap.Locality.NONE, "weft");
    }
    if (!node.isObject()) {
      errors.add(ConfigViolation.of("node", "must be an object"));
      return null;
    }
    String id = text(node, "id", "node.id", errors);
    String cluster = text(node, "cluster", "node.cluster", errors);
    Map<String, Object> metadata = Map.of();
    JsonNode md = node.path("metadata");
    if (md.isObject()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) plain(md);
      metadata = m;
    } else if (!md.isMissingNode() && !md.isNull()) {
      errors.add(ConfigViolation.of("node.metadata", "must be an object"));
    }
    Bootstrap.Locality locality = Bootstrap.Locality.NONE;
    JsonNode loc = node.path("locality");
    if (loc.isObject()) {
      locality =
          new Bootstrap.Locality(
              text(loc, "region", "node.locality.region", errors),
              text(loc, "zone", "node.locality.zone", errors),
              text(loc, "sub_zone", "node.locality.sub_zone", errors));
    }
    return new Bootstrap.Node(id, cluster, metadata, locality, "weft");
  }

  private static List<Bootstrap.ServerInfo> parseServers(
      JsonNode servers, List<ConfigViolation> errors) {
    List<Bootstrap.ServerInfo> out = new ArrayList<>();
    if (!servers.isArray() || servers.isEmpty()) {
      errors.add(ConfigViolation.of("xds_servers", "must be a non-empty list of servers"));
      return out;
    }
    for (int i = 0; i < servers.size(); i++) {
      JsonNode s = servers.get(i);
      String path = "xds_servers[" + i + "]";
      String uri = text(s, "server_uri", path + ".server_uri", errors);
      if (uri.isEmpty()) {
        errors.add(ConfigViolation.of(path + ".server_uri", "is required"));
      }
      Bootstrap.ChannelCredentials creds =
          parseCreds(s.path("channel_creds"), path + ".channel_creds", errors);
      List<String> features = new ArrayList<>();
      JsonNode f = s.path("server_features");
      if (f.isArray()) {
        f.forEach(x -> features.add(x.asText()));
      }
      if (creds != null) {
        out.add(new Bootstrap.ServerInfo(uri, creds, features));
      }
    }
    return out;
  }

  /** gRPC uses the first entry whose type it supports. */
  private static Bootstrap.ChannelCredentials parseCreds(
      JsonNode creds, String path, List<ConfigViolation> errors) {
    if (!creds.isArray() || creds.isEmpty()) {
      errors.add(
          ConfigViolation.of(path, "must list at least one credential type (insecure or tls)"));
      return null;
    }
    List<String> seen = new ArrayList<>();
    for (JsonNode c : creds) {
      String type = c.path("type").asText("");
      seen.add(type);
      if (type.equals("insecure")) {
        return Bootstrap.ChannelCredentials.INSECURE;
      }
      if (type.equals("tls")) {
        JsonNode config = c.path("config");
        return new Bootstrap.ChannelCredentials(
            "tls",
            config.path("ca_certificate_file").asText(""),
            config.path("certificate_file").asText(""),
            config.path("private_key_file").asText(""));
      }
    }
    errors.add(
        ConfigViolation.of(
            path,
            "has no supported credential type: supported are insecure and tls, found "
                + seen
                + (seen.contains("google_default") ? " (google_default is not supported)" : "")));
    return null;
  }

  private static Map<String, Bootstrap.CertificateProvider> parseProviders(
      JsonNode providers, List<ConfigViolation> errors) {
    Map<String, Bootstrap.CertificateProvider> out = new LinkedHashMap<>();
    if (providers.isMissingNode() || providers.isNull()) {
      return out;
    }
    if (!providers.isObject()) {
      errors.add(ConfigViolation.of("certificate_providers", "must be an object"));
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = providers.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = "certificate_providers." + e.getKey();
      String plugin = text(e.getValue(), "plugin_name", path + ".plugin_name", errors);
      JsonNode config = e.getValue().path("config");
      Duration refresh = Duration.ofMinutes(10);
      String interval = config.path("refresh_interval").asText("");
      if (!interval.isEmpty()) {
        refresh = parseDuration(interval, path + ".config.refresh_interval", errors);
      }
      out.put(
          e.getKey(),
          new Bootstrap.CertificateProvider(
              e.getKey(),
              plugin,
              config.path("certificate_file").asText(""),
              config.path("private_key_file").asText(""),
              config.path("ca_certificate_file").asText(""),
              refresh));
    }
    return out;
  }

  /** A protobuf JSON duration such as {@code 600s} or {@code 1.5s}. */
  private static Duration parseDuration(String text, String path, List<ConfigViolation> errors) {
    try {
      if (!text.endsWith("s")) {
        throw new NumberFormatException();
      }
      double seconds = Double.parseDouble(text.substring(0, text.length() - 1));
      return Duration.ofNanos((long) (seconds * 1e9));
    } catch (NumberFormatException e) {
      errors.add(ConfigViolation.of(path, "must be a duration such as 600s, was '" + text + "'"));
      return Duration.ofMinutes(10);
    }
  }

  private static String text(
      JsonNode node, String field, String path, List<ConfigViolation> errors) {
    JsonNode v = node.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      errors.add(ConfigViolation.of(path, "must be a string"));
      return "";
    }
    return v.asText();
  }

  private static Object plain(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(plain(x)));
      return l;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return n.isNull() ? "" : n.asText();
  }
}
