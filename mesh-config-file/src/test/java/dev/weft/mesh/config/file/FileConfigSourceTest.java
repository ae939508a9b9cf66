package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.spi.ConfigListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigSourceTest {
  private static final String THREAD_PREFIX = "weft-file-config-";

  @TempDir Path dir;

  private final List<FileConfigSource> sources = new ArrayList<>();

  @AfterEach
  void closeSources() {
    sources.forEach(FileConfigSource::close);
  }

  private FileConfigSource source(Path file) {
    return track(FileConfigSource.builder(file).build());
  }

  private FileConfigSource track(FileConfigSource source) {
    sources.add(source);
    return source;
  }

  /** Waits for something the watcher does, within the one second a change may take. */
  private static ConditionFactory withinOneSecond() {
    return await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5));
  }

  /**
   * A configuration in which every value carries its generation: version, route names, weights,
   * ports and labels.
   */
  static String generation(int n) {
    StringBuilder yaml = new StringBuilder("services:\n");
    for (int s = 1; s <= 3; s++) {
      yaml.append("  s")
          .append(s)
          .append(":\n    routes:\n      - name: r")
          .append(n)
          .append('\n')
          .append("        destinations: [{cluster: c")
          .append(s)
          .append(", weight: ")
          .append(n)
          .append("}]\n");
    }
    yaml.append("clusters:\n");
    for (int c = 1; c <= 3; c++) {
      yaml.append("  c").append(c).append(":\n    endpoints:\n");
      for (int e = 1; e <= 3; e++) {
        yaml.append("      - {address: \"127.0.0.")
            .append(e)
            .append(':')
            .append(10_000 + n)
            .append("\", labels: {gen: \"")
            .append(n)
            .append("\"}}\n");
      }
    }
    return yaml.append("version: \"g").append(n).append("\"\n").toString();
  }

  /**
   * The generation that every part of {@code config} carries, or -1 when its parts disagree or some
   * are missing.
   */
  static int generationOf(MeshConfig config) {
    if (!config.version().matches("g[0-9]{1,6}")) {
      return -1;
    }
    int n = Integer.parseInt(config.version().substring(1));
    boolean whole = config.services().size() == 3 && config.clusters().size() == 3;
    for (Service s : config.services()) {
      whole &= s.routes().size() == 1 && s.routes().get(0).destinations().size() == 1;
    }
    if (!whole) {
      return -1;
    }
    for (Service s : config.services()) {
      for (Route r : s.routes()) {
        whole &= r.name().equals("r" + n) && r.destinations().get(0).weight() == n;
      }
    }
    for (Cluster c : config.clusters()) {
      whole &= c.endpoints().size() == 3;
      for (Endpoint e : c.endpoints()) {
        whole &= e.port() == 10_000 + n && e.labels().get("gen").equals(String.valueOf(n));
      }
    }
    return whole ? n : -1;
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** Replaces the file as editors and Kubernetes do: a new file renamed over the old one. */
  private static void replaceAtomically(Path file, String content) throws IOException {
    Path temp = Files.writeString(file.resolveSibling("." + file.getFileName() + ".tmp"), content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Rewrites the file in place: truncated, then written (in one write for files under 8 KiB). */
  private static void rewriteInPlace(Path file, String content) throws IOException {
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The threads of the JDK's watch services, one per open WatchService: "FileSystemWatchService" on
   * Linux and Windows, "FileSystemWatcher" where the JDK polls (macOS).
   */
  private static long jdkWatchServiceThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(
            t ->
                t.getName().equals("FileSystemWatchService")
                    || t.getName().equals("FileSystemWatcher"))
        .count();
  }

  private static List<String> watcherThreads(String fileName) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.equals(THREAD_PREFIX + fileName))
        .toList();
  }

  // ---- start

  @Test
  void startDeliversTheFileBeforeReturning() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();

    FileConfigSource source = source(file);
    source.start(listener);

    assertThat(listener.configs).hasSize(1);
    assertThat(generationOf(listener.configs.get(0))).isEqualTo(1);
    assertThat(source.description()).isEqualTo("file:" + file.toAbsolutePath().normalize());
    assertThat(watcherThreads("mesh.yaml")).hasSize(1);
  }

  @Test
  void aMissingFileFailsStartWithoutStartingAThread() {
    Recorder listener = new Recorder();
    FileConfigSource source = source(dir.resolve("missing.yaml"));

    InvalidConfigException e =
        catchThrowableOfType(InvalidConfigException.class, () -> source.start(listener));

    assertThat(e.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.location()).isEqualTo("missing.yaml");
              assertThat(v.message())
                  .isEqualTo(
                      "the file "
                          + dir.resolve("missing.yaml").toAbsolutePath()
                          + " does not exist");
            });
    assertThat(listener.configs).isEmpty();
    assertThat(watcherThreads("missing.yaml")).isEmpty();
  }

  @Test
  void aBrokenFileFailsStartWithEveryProblem() throws IOException {
    Path file =
        write(
            "broken.yaml",
            """
        clusters:
          c:
            endpoints: [{address: "a:1", weight: -1}]
            colour: red
        """);
    Recorder listener = new Recorder();
    long jdkThreadsBefore = jdkWatchServiceThreads();
    FileConfigSource source = source(file);

    InvalidConfigException e =
        catchThrowableOfType(InvalidConfigException.class, () -> source.start(listener));

    withinOneSecond().until(() -> jdkWatchServiceThreads() == jdkThreadsBefore);
    assertThat(e.source()).isEqualTo("broken.yaml");
    assertThat(e.getMessage())
        .contains("broken.yaml:3:34: clusters.c.endpoints[0].weight: must be at least 1, was -1")
        .contains("broken.yaml:4:5: clusters.c.colour: unknown key 'colour'");
    assertThat(listener.configs).isEmpty();
    assertThat(watcherThreads("broken.yaml")).isEmpty();
  }

  @Test
  void aRejectionByTheListenerAtStartIsThrownWithFileLocations() throws IOException {
    Path file =
        write(
            "mesh.yaml",
            """
        clusters:
          a: {}
          b:
            loadBalancing:
              policy: least_request
              options:
                choiceCount: 1
        """);
    Recorder listener = new Recorder();
    listener.rejectWhen =
        config -> {
          throw new InvalidConfigException(
              List.of(
                  ConfigViolation.of(
                      "clusters[1].loadBalancing.options.choiceCount",
                      "must be at least 2, was 1")));
        };
    FileConfigSource source = source(file);

    InvalidConfigException e =
        catchThrowableOfType(InvalidConfigException.class, () -> source.start(listener));

    assertThat(e.source()).isEqualTo("mesh.yaml");
    assertThat(e.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:7:9",
                "clusters.b.loadBalancing.options.choiceCount",
                "must be at least 2, was 1"));
    assertThat(watcherThreads("mesh.yaml")).isEmpty();
  }

  @Test
  void startsOnlyOnceAndNotAfterClose() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    FileConfigSource source = source(file);
    source.start(new Recorder());

    assertThatThrownBy(() -> source.start(new Recorder()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started");

    FileConfigSource closed = source(file);
    closed.close();
    assertThatThrownBy(() -> closed.start(new Recorder()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  // ---- changes

  @Test
  void anAtomicReplaceIsDeliveredWithinOneSecond() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);

    replaceAtomically(file, generation(2));

    withinOneSecond().until(() -> listener.latestGeneration() == 2);
    assertThat(listener.configs).hasSize(2);
  }

  @Test
  void anInPlaceRewriteIsDeliveredWithinOneSecond() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);

    rewriteInPlace(file, generation(2));

    withinOneSecond().until(() -> listener.latestGeneration() == 2);
    assertThat(listener.configs).hasSize(2);
  }

  @Test
  void fileSystemEventsAloneDeliverBothKindsOfWriteWithinOneSecond() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    track(FileConfigSource.builder(file).pollInterval(Duration.ofMinutes(10)).build())
        .start(listener);

    replaceAtomically(file, generation(2));
    withinOneSecond().until(() -> listener.latestGeneration() == 2);

    rewriteInPlace(file, generation(3));
    withinOneSecond().until(() -> listener.latestGeneration() == 3);
  }

  @Test
  void aSwappedSymbolicLinkIsDeliveredLikeAKubernetesConfigMapUpdate() throws IOException {
    // A mounted ConfigMap: mesh.yaml -> ..data/mesh.yaml, ..data -> ..v1; an update writes ..v2 and
    // renames a new link over ..data.
    Files.createDirectory(dir.resolve("..v1"));
    Files.writeString(dir.resolve("..v1/mesh.yaml"), generation(1));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
    Path file = Files.createSymbolicLink(dir.resolve("mesh.yaml"), Path.of("..data/mesh.yaml"));
    Recorder listener = new Recorder();
    track(FileConfigSource.builder(file).pollInterval(Duration.ofMinutes(10)).build())
        .start(listener);

    Files.createDirectory(dir.resolve("..v2"));
    Files.writeString(dir.resolve("..v2/mesh.yaml"), generation(2));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    withinOneSecond().until(() -> listener.latestGeneration() == 2);
  }

  @Test
  void withoutFileSystemEventsPollingStillSeesAChange() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    track(
            FileConfigSource.builder(file)
                .watchEvents(false)
                .pollInterval(Duration.ofMillis(300))
                .build())
        .start(listener);

    rewriteInPlace(file, generation(2));

    withinOneSecond().until(() -> listener.latestGeneration() == 2);
  }

  @Test
  void aBrokenFileKeepsThePreviousConfigAndTheNextGoodFileIsDelivered() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);

    replaceAtomically(file, generation(2).replace("weight: 2}", "weight: -2}"));

    withinOneSecond().until(() -> listener.errors.size() == 1);
    assertThat(listener.errors.get(0))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.violations())
                    .extracting(ConfigViolation::location, ConfigViolation::path)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                            "mesh.yaml:5:38", "services.s1.routes[0].destinations[0].weight"),
                        org.assertj.core.groups.Tuple.tuple(
                            "mesh.yaml:9:38", "services.s2.routes[0].destinations[0].weight"),
                        org.assertj.core.groups.Tuple.tuple(
                            "mesh.yaml:13:38", "services.s3.routes[0].destinations[0].weight")));
    // Nothing is delivered for it, not even by a later poll of the same content.
    await()
        .during(Duration.ofMillis(1200))
        .atMost(Duration.ofSeconds(3))
        .until(() -> listener.configs.size() == 1);
    assertThat(listener.errors).hasSize(1);

    replaceAtomically(file, generation(3));

    withinOneSecond().until(() -> listener.latestGeneration() == 3);
    assertThat(listener.configs)
        .extracting(FileConfigSourceTest::generationOf)
        .containsExactly(1, 3);
  }

  @Test
  void aHalfWrittenFileIsReportedAndTheCompleteOneDelivered() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);
    String next = generation(2);

    rewriteInPlace(file, next.substring(0, next.indexOf("weight: 2") + 5));
    withinOneSecond().until(() -> listener.errors.size() == 1);
    rewriteInPlace(file, next);

    withinOneSecond().until(() -> listener.latestGeneration() == 2);
    assertThat(listener.configs)
        .extracting(FileConfigSourceTest::generationOf)
        .containsExactly(1, 2);
  }

  @Test
  void aRejectionByTheListenerWhileRunningIsReportedWithFileLocationsAndTheConfigKept()
      throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    listener.rejectWhen =
        config -> {
          if (config.version().equals("g2")) {
            throw new InvalidConfigException(
                List.of(
                    ConfigViolation.of("clusters[2].endpoints[1].labels.gen", "is not wanted")));
          }
        };
    source(file).start(listener);

    replaceAtomically(file, generation(2));

    withinOneSecond().until(() -> listener.errors.size() == 1);
    assertThat(listener.errors.get(0))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e -> {
              assertThat(e.source()).isEqualTo("mesh.yaml");
              assertThat(e.violations())
                  .containsExactly(
                      new ConfigViolation(
                          "mesh.yaml:28:47",
                          "clusters.c3.endpoints[1].labels.gen",
                          "is not wanted"));
            });
    assertThat(listener.latestGeneration()).isEqualTo(1);

    replaceAtomically(file, generation(3));

    withinOneSecond().until(() -> listener.latestGeneration() == 3);
  }

  @Test
  void unchangedContentIsNotDeliveredAgain() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);

    rewriteInPlace(file, generation(1));
    replaceAtomically(file, generation(1));

    await()
        .during(Duration.ofMillis(1200))
        .atMost(Duration.ofSeconds(3))
        .until(() -> listener.configs.size() == 1);
    assertThat(listener.errors).isEmpty();
  }

  @Test
  void goingBackToTheContentInForceAfterABadWriteDeliversNothing() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);

    replaceAtomically(file, "clusters: [\n");
    withinOneSecond().until(() -> listener.errors.size() == 1);
    replaceAtomically(file, generation(1));

    await()
        .during(Duration.ofMillis(1200))
        .atMost(Duration.ofSeconds(3))
        .until(() -> listener.configs.size() == 1);
    assertThat(listener.errors).hasSize(1);
  }

  @Test
  void aBurstOfWritesIsReadOnceItSettles() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    track(
            FileConfigSource.builder(file)
                .debounce(Duration.ofMillis(400))
                .pollInterval(Duration.ofSeconds(30))
                .build())
        .start(listener);

    for (int n = 2; n <= 10; n++) {
      rewriteInPlace(file, generation(n));
    }

    await().atMost(Duration.ofSeconds(2)).until(() -> listener.latestGeneration() == 10);
    assertThat(listener.configs)
        .extracting(FileConfigSourceTest::generationOf)
        .containsExactly(1, 10);
  }

  @Test
  void aDeletedFileIsReportedAndARecreatedOneDelivered() throws IOException {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);

    Files.delete(file);
    withinOneSecond().until(() -> listener.errors.size() == 1);
    assertThat(listener.errors.get(0)).isInstanceOf(NoSuchFileException.class);

    replaceAtomically(file, generation(2));
    withinOneSecond().until(() -> listener.latestGeneration() == 2);
  }

  @Test
  void readersOnlyEverSeeACompleteOldOrNewSnapshot() throws Exception {
    Path file = write("mesh.yaml", generation(1));
    Recorder listener = new Recorder();
    source(file).start(listener);
    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    List<String> torn = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                while (reading.get()) {
                  MeshConfig seen = listener.latest.get();
                  if (generationOf(seen) < 0) {
                    torn.add(seen.toString());
                  }
                  reads.incrementAndGet();
                }
              } catch (RuntimeException e) {
                torn.add("the reader failed: " + e);
              }
            },
            "snapshot-reader");
    reader.start();

    int last = 40;
    for (int n = 2; n <= last; n++) {
      if (n % 2 == 0) {
        replaceAtomically(file, generation(n));
      } else {
        rewriteInPlace(file, generation(n));
      }
      int expected = n;
      withinOneSecond().until(() -> listener.latestGeneration() == expected);
    }
    reading.set(false);
    reader.join();

    assertThat(torn).isEmpty();
    assertThat(reads.get()).isGreaterThan(last);
    assertThat(listener.configs)
        .extracting(FileConfigSourceTest::generationOf)
        .doesNotContain(-1)
        .endsWith(last);
    assertThat(listener.overlapped).isFalse();
  }

  // ---- close

  @Test
  void closeEndsTheWatcherThreadAndTheWatchServiceAndIsIdempotent() throws IOException {
    Path file = write("closing.yaml", generation(1));
    Recorder listener = new Recorder();
    long jdkThreadsBefore = jdkWatchServiceThreads();
    FileConfigSource source = source(file);
    source.start(listener);
    assertThat(watcherThreads("closing.yaml")).hasSize(1);
    assertThat(jdkWatchServiceThreads()).isGreaterThan(jdkThreadsBefore);

    source.close();
    source.close();

    assertThat(watcherThreads("closing.yaml")).isEmpty();
    withinOneSecond().until(() -> jdkWatchServiceThreads() == jdkThreadsBefore);
    replaceAtomically(file, generation(2));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> listener.configs.size() == 1);
  }

  @Test
  void closeFromTheListenerItselfDoesNotDeadlock() throws IOException {
    Path file = write("self.yaml", generation(1));
    Recorder listener = new Recorder();
    FileConfigSource source = source(file);
    listener.rejectWhen =
        config -> {
          if (config.version().equals("g2")) {
            source.close();
          }
        };
    source.start(listener);

    replaceAtomically(file, generation(2));

    withinOneSecond().until(() -> watcherThreads("self.yaml").isEmpty());
  }

  /** Records what a source delivers; can reject configurations; notices overlapping calls. */
  static final class Recorder implements ConfigListener {
    final List<MeshConfig> configs = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final AtomicReference<MeshConfig> latest = new AtomicReference<>();
    volatile Consumer<MeshConfig> rejectWhen = config -> {};
    volatile boolean overlapped;
    private final AtomicInteger inCall = new AtomicInteger();

    @Override
    public void onConfig(MeshConfig config) {
      enter();
      try {
        rejectWhen.accept(config);
        configs.add(config);
        latest.set(config);
      } finally {
        inCall.decrementAndGet();
      }
    }

    @Override
    public void onError(Throwable error) {
      enter();
      errors.add(error);
      inCall.decrementAndGet();
    }

    private void enter() {
      if (inCall.incrementAndGet() != 1) {
        overlapped = true;
      }
    }

    int latestGeneration() {
      MeshConfig config = latest.get();
      return config == null ? 0 : generationOf(config);
    }
  }
}
