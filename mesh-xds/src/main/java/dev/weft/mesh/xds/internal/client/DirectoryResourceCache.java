package dev.weft.mesh.xds.internal.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ResourceCache} in a directory: one file per type, holding a {@code DiscoveryResponse}
 * with the accepted version and resources, replaced atomically (written aside, then moved).
 */
public final class DirectoryResourceCache implements ResourceCache {
  private static final Logger log = LoggerFactory.getLogger(DirectoryResourceCache.class);
  private static final String SUFFIX = ".xds.pb";

  private final Path directory;

  /** A cache in {@code directory}, created when first written. */
  public DirectoryResourceCache(Path directory) {
    this.directory = requireNonNull(directory, "directory");
  }

  /** The directory the files are kept in. */
  public Path directory() {
    return directory;
  }

  @Override
  public void store(String typeUrl, String version, List<Any> resources) {
    DiscoveryResponse response =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl)
            .setVersionInfo(version)
            .addAllResources(resources)
            .build();
    Path target = directory.resolve(fileName(typeUrl));
    try {
      Files.createDirectories(directory);
      Path tmp = Files.createTempFile(directory, "tmp-", ".part");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        response.writeTo(out);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      log.warn("cannot write the xDS resource cache {}: {}", target, e.toString());
    }
  }

  @Override
  public Map<String, Stored> load() {
    Map<String, Stored> out = new LinkedHashMap<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        try (InputStream in = Files.newInputStream(file)) {
          DiscoveryResponse r = DiscoveryResponse.parseFrom(in);
          out.put(r.getTypeUrl(), new Stored(r.getVersionInfo(), r.getResourcesList()));
        } catch (IOException e) {
          log.warn("ignoring unreadable xDS cache file {}: {}", file, e.toString());
        }
      }
    } catch (IOException e) {
      log.warn("cannot read the xDS resource cache {}: {}", directory, e.toString());
    }
    return out;
  }

  private static String fileName(String typeUrl) {
    String simple = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    return simple.replaceAll("[^A-Za-z0-9._-]", "_") + SUFFIX;
  }
}
