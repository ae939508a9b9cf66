package dev.weft.mesh.config.file;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.api.spi.StartupMode;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConfigSource} that reads a YAML file (see {@link MeshConfigYaml}) and delivers it again
 * whenever its content changes.
 *
 * <pre>{@code
 * ConfigSource source = FileConfigSource.builder(Path.of("/etc/weft/mesh.yaml")).build();
 * }</pre>
 *
 * <p>{@link #start} reads the file before it returns: a missing or invalid file fails start-up with
 * an {@link InvalidConfigException} that lists every problem. After that one daemon thread, named
 * {@code weft-file-config-<file name>}, watches the file's directory (so that both an edit in place
 * and an atomic replace, a write to a temporary file renamed over this one, are seen) and also
 * reads the file every {@linkplain Builder#pollInterval poll interval}, for file systems that
 * report no events. A burst of events is read once, a {@linkplain Builder#debounce short delay}
 * after the last. A new configuration is delivered only when the file's bytes have changed.
 *
 * <p>Start-up ({@link Builder#startupMode}): in {@link StartupMode#FAIL_FAST}, the default, a
 * missing file fails {@link #start} as above. In {@link StartupMode#WAIT} a missing file is waited
 * for instead: {@code start} returns without a configuration, the watcher delivers the file once it
 * appears (a ConfigMap mounted late, a file written by an init step), and calls made meanwhile wait
 * for it; {@link #awaiting()} names the file. An existing file that is invalid fails start-up in
 * both modes.
 *
 * <p>When a changed file is invalid, or the listener rejects it, the listener's {@link
 * ConfigListener#onError} gets an {@link InvalidConfigException} with every problem located in the
 * file, nothing is delivered, and the configuration in force stays in force until a later valid
 * write. Prefer atomic replaces: an edit in place can be caught half written, though a half written
 * file is almost always invalid and so only reported.
 */
public final class FileConfigSource implements ConfigSource {
  /** How often the file is read when no event arrives: 1 s. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  /** How long after the last event of a burst the file is read: 50 ms. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(50);

  private static final Logger log = LoggerFactory.getLogger(FileConfigSource.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final long NONE = Long.MIN_VALUE;

  private final Path file;
  private final Path directory;
  private final String name;
  private final long pollNanos;
  private final long debounceNanos;
  private final boolean watchEvents;
  private final StartupMode startupMode;

  /** What the source waits for before its first configuration, or null once it has delivered. */
  private volatile String waitingFor;

  private final Object lifecycle = new Object();
  private boolean started; // guarded by lifecycle
  private Thread thread; // guarded by lifecycle
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile WatchService watchService;

  // Owned by the caller of start() until the thread starts, then by the thread alone.
  private ConfigListener listener;
  private WatchKey watchKey;

  /** The hash of the content last read, valid or not, so that each content is handled once. */
  private String seenHash;

  /** The hash of the content in force. */
  private String appliedHash;

  private String appliedVersion;
  private boolean lastReadFailed;
  private int unsettledReads;

  private FileConfigSource(Builder builder) {
    this.file = builder.file.toAbsolutePath().normalize();
    this.directory = Objects.requireNonNullElse(file.getParent(), file.getRoot());
    this.name = String.valueOf(file.getFileName());
    this.pollNanos = Nanos.of(builder.pollInterval);
    this.debounceNanos = Nanos.of(builder.debounce);
    this.watchEvents = builder.watchEvents;
    this.startupMode = builder.startupMode;
  }

  /** A builder for a source that reads {@code file}. */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /**
   * Reads the file and delivers it to {@code listener} before returning, then starts watching it.
   *
   * @throws InvalidConfigException if the file is missing, unreadable or invalid, or the listener
   *     rejects it; every problem is listed with its {@code file:line:column}
   * @throws IllegalStateException if already started or closed
   */
  @Override
  public void start(ConfigListener listener) {
    requireNonNull(listener, "listener");
    synchronized (lifecycle) {
      if (closed.get()) {
        throw new IllegalStateException(description() + " is closed");
      }
      if (started) {
        throw new IllegalStateException(description() + " is already started");
      }
      started = true;
    }
    this.listener = listener;
    // Watch before the first read, so that a change made just after it cannot go unseen.
    watchService = openWatchService();
    try {
      byte[] content =
          startupMode == StartupMode.WAIT && Files.notExists(file) ? null : readInitial();
      if (content == null) {
        // The watcher delivers the file when it appears; a poll that still misses it says nothing.
        lastReadFailed = true;
        waitingFor = "the file " + file + " to appear (waiting since " + Instant.now() + ")";
        log.info("{} does not exist yet; waiting for it (startup mode wait)", description());
      } else {
        String hash = MeshConfigYaml.sha256Hex(content);
        ParsedConfig parsed = MeshConfigYaml.parse(content, name);
        try {
          listener.onConfig(parsed.config());
        } catch (InvalidConfigException e) {
          throw parsed.locate(e);
        }
        seenHash = hash;
        appliedHash = hash;
        appliedVersion = parsed.config().version();
        log.info("Mesh configuration version {} loaded from {}", appliedVersion, description());
      }
    } catch (RuntimeException e) {
      closeWatchService();
      synchronized (lifecycle) {
        started = false;
      }
      throw e;
    }
    synchronized (lifecycle) {
      if (closed.get()) {
        closeWatchService();
        return;
      }
      thread = new Thread(this::run, "weft-file-config-" + name);
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public String description() {
    return "file:" + file;
  }

  @Override
  public StartupMode startupMode() {
    return startupMode;
  }

  /**
   * The file to appear, or to become valid, with since when; {@code nothing} once a configuration
   * was delivered.
   */
  @Override
  public String awaiting() {
    String w = waitingFor;
    return w != null ? w : "nothing (" + description() + " delivered a configuration)";
  }

  /**
   * Stops watching and ends the watcher thread, waiting for it unless called from it. Idempotent.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (lifecycle) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      t = thread;
    }
    closing.countDown();
    closeWatchService();
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        log.warn(
            "{} closed, but its watcher thread is still busy delivering to the listener",
            description());
      }
    }
  }

  @Override
  public String toString() {
    return "FileConfigSource{" + description() + "}";
  }

  private byte[] readInitial() {
    try {
      return MeshConfigYaml.readBounded(file);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(
          name, List.of(new ConfigViolation(name, "", "the file " + file + " does not exist")));
    } catch (IOException e) {
      throw new InvalidConfigException(
          name,
          List.of(new ConfigViolation(name, "", "the file " + file + " cannot be read: " + e)));
    }
  }

  private WatchService openWatchService() {
    if (!watchEvents) {
      return null;
    }
    try {
      WatchService service = directory.getFileSystem().newWatchService();
      try {
        watchKey = register(service);
      } catch (IOException | RuntimeException e) {
        service.close();
        throw e;
      }
      return service;
    } catch (IOException | UnsupportedOperationException e) {
      log.info(
          "{}: cannot watch {} for changes ({}); reading the file every {} ms instead",
          description(),
          directory,
          e.toString(),
          TimeUnit.NANOSECONDS.toMillis(pollNanos));
      return null;
    }
  }

  private WatchKey register(WatchService service) throws IOException {
    return directory.register(
        service,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
  }

  private void closeWatchService() {
    WatchService service = watchService;
    if (service != null) {
      try {
        service.close();
      } catch (IOException e) {
        log.debug("{}: closing the watch service failed", description(), e);
      }
    }
  }

  /**
   * The watcher loop: waits for a directory event or the next due read, whichever comes first. A
   * burst of events moves the read to {@code debounce} after the last one, but never more than a
   * poll interval after the first, so that a file written without pause is still read.
   */
  private void run() {
    try {
      loop();
    } finally {
      closeWatchService();
    }
  }

  private void loop() {
    long nextPoll = System.nanoTime() + pollNanos;
    long firstEvent = NONE;
    long lastEvent = NONE;
    while (!closed.get()) {
      try {
        long now = System.nanoTime();
        long due = nextPoll;
        if (lastEvent != NONE) {
          due = Math.min(due, Math.min(lastEvent + debounceNanos, firstEvent + pollNanos));
        }
        if (due - now > 0) {
          if (awaitEvent(due - now)) {
            lastEvent = System.nanoTime();
            if (firstEvent == NONE) {
              firstEvent = lastEvent;
            }
          }
          continue;
        }
        boolean settled = true;
        if (lastEvent != NONE
            && (now - lastEvent >= debounceNanos || now - firstEvent >= pollNanos)) {
          firstEvent = NONE;
          lastEvent = NONE;
          settled = reload();
        }
        if (now - nextPoll >= 0) {
          nextPoll = now + pollNanos;
          settled &= reload();
          rewatchIfLost();
        }
        if (!settled) {
          // The file changed while it was read: read it again once it has been still for a moment.
          lastEvent = System.nanoTime();
          firstEvent = firstEvent == NONE ? lastEvent : firstEvent;
        }
      } catch (RuntimeException e) {
        log.error("{}: unexpected failure in the watcher; it goes on", description(), e);
      }
    }
  }

  /** Waits up to {@code nanos} for an event in the directory; true if one (or more) arrived. */
  private boolean awaitEvent(long nanos) {
    WatchService service = watchService;
    try {
      if (service == null) {
        closing.await(nanos, TimeUnit.NANOSECONDS);
        return false;
      }
      WatchKey key = service.poll(nanos, TimeUnit.NANOSECONDS);
      if (key == null) {
        return false;
      }
      // Any event in the directory may concern the file: a rename onto it, an edit, or a swapped
      // symbolic link (as Kubernetes updates a mounted ConfigMap). Reading is cheap and the content
      // hash decides whether anything changed.
      do {
        key.pollEvents();
        key.reset();
        key = service.poll();
      } while (key != null);
      return true;
    } catch (ClosedWatchServiceException e) {
      if (!closed.get()) {
        log.info(
            "{}: the watch service stopped; reading the file every {} ms instead",
            description(),
            TimeUnit.NANOSECONDS.toMillis(pollNanos));
        watchService = null;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      return false;
    }
  }

  private void rewatchIfLost() {
    WatchService service = watchService;
    if (service == null || closed.get() || (watchKey != null && watchKey.isValid())) {
      return;
    }
    try {
      watchKey = register(service);
    } catch (IOException | ClosedWatchServiceException e) {
      log.debug("{}: cannot watch {} again yet: {}", description(), directory, e.toString());
    }
  }

  /**
   * Reads the file and, when its content is new, delivers or reports it. False when the file
   * changed while it was being read, so that it should be read again shortly.
   */
  private boolean reload() {
    byte[] content;
    try {
      BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
      content = MeshConfigYaml.readBounded(file);
      BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
      boolean changing =
          before.size() != after.size()
              || !before.lastModifiedTime().equals(after.lastModifiedTime())
              || (content.length <= YamlLoading.MAX_BYTES && content.length != after.size());
      // A file whose size never matches what is read (not a regular file) is taken as it is, after
      // a few tries.
      if (changing && ++unsettledReads < 3) {
        return false;
      }
      unsettledReads = 0;
    } catch (IOException e) {
      if (!lastReadFailed) {
        lastReadFailed = true;
        seenHash = null;
        String what = e instanceof NoSuchFileException ? "is gone" : "cannot be read (" + e + ")";
        log.warn("{} {}; keeping configuration version {}", description(), what, appliedVersion);
        notifyError(e);
      }
      return true;
    }
    lastReadFailed = false;
    String hash = MeshConfigYaml.sha256Hex(content);
    if (hash.equals(seenHash)) {
      return true;
    }
    seenHash = hash;
    if (hash.equals(appliedHash)) {
      return true;
    }
    if (closed.get()) {
      return true;
    }
    ParsedConfig parsed;
    try {
      parsed = MeshConfigYaml.parse(content, name);
    } catch (InvalidConfigException e) {
      reject(e);
      return true;
    }
    try {
      listener.onConfig(parsed.config());
    } catch (InvalidConfigException e) {
      reject(parsed.locate(e));
      return true;
    } catch (RuntimeException e) {
      log.warn(
          "{}: the listener failed on configuration version {}; keeping version {}",
          description(),
          parsed.config().version(),
          appliedVersion,
          e);
      notifyError(e);
      return true;
    }
    appliedHash = hash;
    appliedVersion = parsed.config().version();
    waitingFor = null;
    log.info("Mesh configuration version {} loaded from {}", appliedVersion, description());
    return true;
  }

  private void reject(InvalidConfigException e) {
    if (appliedHash == null) {
      waitingFor = "a valid " + file + " (the last one read was rejected: " + e.getMessage() + ")";
    }
    log.warn(
        "Change to {} rejected; keeping configuration version {}. {}",
        description(),
        appliedVersion,
        e.getMessage());
    notifyError(e);
  }

  private void notifyError(Throwable error) {
    try {
      listener.onError(error);
    } catch (RuntimeException e) {
      log.warn("{}: the listener failed in onError", description(), e);
    }
  }

  /** Builds a {@link FileConfigSource}. */
  public static final class Builder {
    private final Path file;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration debounce = DEFAULT_DEBOUNCE;
    private boolean watchEvents = true;
    private StartupMode startupMode = StartupMode.FAIL_FAST;

    private Builder(Path file) {
      this.file = requireNonNull(file, "file");
    }

    /**
     * How often the file is read even without a change event (some file systems, network ones in
     * particular, report none). A change is seen within this time at the latest. Default 1 s.
     */
    public Builder pollInterval(Duration pollInterval) {
      requireNonNull(pollInterval, "pollInterval");
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * How long the directory must be quiet after a change event before the file is read, so that a
     * burst of events (an editor's save, a copy) leads to one read. Default 50 ms.
     */
    public Builder debounce(Duration debounce) {
      requireNonNull(debounce, "debounce");
      if (debounce.isNegative()) {
        throw new IllegalArgumentException("debounce must not be negative, was " + debounce);
      }
      this.debounce = debounce;
      return this;
    }

    /**
     * Whether to listen for file-system events; without them only polling sees changes. For tests.
     */
    Builder watchEvents(boolean watchEvents) {
      this.watchEvents = watchEvents;
      return this;
    }

    /**
     * What happens when the file does not exist at start: {@link StartupMode#FAIL_FAST} (the
     * default: {@code start} fails, a missing local file being a deployment error) or {@link
     * StartupMode#WAIT} (wait for it to appear; calls wait for it too, up to their deadline or the
     * mesh's startup wait). A file keeps no copy to serve, so {@link StartupMode#SERVE_CACHED} is
     * refused.
     */
    public Builder startupMode(StartupMode startupMode) {
      requireNonNull(startupMode, "startupMode");
      if (startupMode == StartupMode.SERVE_CACHED) {
        throw new IllegalArgumentException(
            "a file config source keeps no cached copy to serve; use wait or fail-fast");
      }
      this.startupMode = startupMode;
      return this;
    }

    public FileConfigSource build() {
      return new FileConfigSource(this);
    }
  }
}
