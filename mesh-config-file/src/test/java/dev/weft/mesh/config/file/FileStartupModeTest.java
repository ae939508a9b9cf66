package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.spi.StartupMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file source's start-up modes: fail-fast (the default) and waiting for a missing file. */
class FileStartupModeTest {
  @TempDir Path dir;
  private final List<FileConfigSource> sources = new ArrayList<>();

  @AfterEach
  void close() {
    sources.forEach(FileConfigSource::close);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("weft-file-config-")));
  }

  private FileConfigSource source(Path file, StartupMode mode) {
    FileConfigSource s =
        FileConfigSource.builder(file)
            .pollInterval(Duration.ofMillis(50))
            .startupMode(mode)
            .build();
    sources.add(s);
    return s;
  }

  private static void replaceAtomically(Path file, String content) throws IOException {
    Path temp = Files.writeString(file.resolveSibling("." + file.getFileName() + ".tmp"), content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void failFastIsTheDefaultAndAMissingFileFailsStart() {
    FileConfigSource source = FileConfigSource.builder(dir.resolve("missing.yaml")).build();
    sources.add(source);
    assertThat(source.startupMode()).isEqualTo(StartupMode.FAIL_FAST);
    assertThatThrownBy(() -> source.start(new FileConfigSourceTest.Recorder()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void inWaitModeAMissingFileIsDeliveredWhenItAppears() throws Exception {
    Path file = dir.resolve("late.yaml");
    FileConfigSource source = source(file, StartupMode.WAIT);
    FileConfigSourceTest.Recorder listener = new FileConfigSourceTest.Recorder();

    source.start(listener);

    assertThat(listener.configs).isEmpty();
    assertThat(listener.errors).isEmpty();
    assertThat(source.startupMode()).isEqualTo(StartupMode.WAIT);
    assertThat(source.awaiting())
        .startsWith("the file " + file.toAbsolutePath().normalize() + " to appear (waiting since");

    replaceAtomically(file, FileConfigSourceTest.generation(1));

    await().atMost(Duration.ofSeconds(5)).until(() -> listener.configs.size() == 1);
    assertThat(FileConfigSourceTest.generationOf(listener.configs.get(0))).isEqualTo(1);
    assertThat(source.awaiting()).startsWith("nothing");
    assertThat(listener.errors).isEmpty();
  }

  @Test
  void inWaitModeAnInvalidFileThatAppearsIsReportedAndNamedInWhatIsAwaited() throws Exception {
    Path file = dir.resolve("late.yaml");
    FileConfigSource source = source(file, StartupMode.WAIT);
    FileConfigSourceTest.Recorder listener = new FileConfigSourceTest.Recorder();
    source.start(listener);

    replaceAtomically(file, "services: [not, a, map]\n");

    await().atMost(Duration.ofSeconds(5)).until(() -> !listener.errors.isEmpty());
    assertThat(listener.configs).isEmpty();
    assertThat(source.awaiting()).startsWith("a valid " + file.toAbsolutePath().normalize());

    replaceAtomically(file, FileConfigSourceTest.generation(2));
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.configs.size() == 1);
  }

  @Test
  void inWaitModeAnExistingInvalidFileStillFailsStart() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.yaml"), "services: [not, a, map]\n");
    FileConfigSource source = source(file, StartupMode.WAIT);
    assertThatThrownBy(() -> source.start(new FileConfigSourceTest.Recorder()))
        .isInstanceOf(InvalidConfigException.class);
  }

  @Test
  void serveCachedIsRefused() {
    assertThatThrownBy(
            () ->
                FileConfigSource.builder(dir.resolve("x.yaml"))
                    .startupMode(StartupMode.SERVE_CACHED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no cached copy");
  }
}
