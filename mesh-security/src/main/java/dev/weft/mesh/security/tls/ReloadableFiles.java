package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.DaemonScheduler;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Material parsed from a fixed set of files, re-read when their content changes. The files are read
 * once per check and hashed together; the parser sees those bytes, so a check never mixes two
 * versions of a file. A failed parse keeps the previous material and is reported once per content.
 */
final class ReloadableFiles<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReloadableFiles.class);

  /** Parses the contents of the files, in the order given; throws {@link TlsMaterialException}. */
  interface Parser<T> {
    T parse(List<byte[]> contents);
  }

  private final String what;
  private final List<java.nio.file.Path> files;
  private final Parser<T> parser;
  private final Function<T, String> describer;
  private final List<TlsMaterialListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Scheduler.Cancellable> watches = new CopyOnWriteArrayList<>();
  private volatile T current;
  private volatile TlsMaterialException lastError;
  private byte[] loadedHash;
  private byte[] rejectedHash;
  private DaemonScheduler ownScheduler;

  /** Loads the files now; throws {@link TlsMaterialException} if they cannot be used. */
  ReloadableFiles(
      String what,
      List<java.nio.file.Path> files,
      Parser<T> parser,
      Function<T, String> describer) {
    this.what = requireNonNull(what, "what");
    this.files = List.copyOf(files);
    this.parser = requireNonNull(parser, "parser");
    this.describer = requireNonNull(describer, "describer");
    List<byte[]> contents = readAll();
    this.current = parser.parse(contents);
    this.loadedHash = hash(contents);
  }

  T current() {
    return current;
  }

  TlsMaterialException lastError() {
    return lastError;
  }

  List<java.nio.file.Path> files() {
    return files;
  }

  void addListener(TlsMaterialListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * Re-reads the files and swaps in new material if their content changed and parses. Returns
   * whether new material is now in use. Never throws for bad files: it reports and keeps the old.
   */
  synchronized boolean reload() {
    List<byte[]> contents;
    try {
      contents = readAll();
    } catch (TlsMaterialException e) {
      reject(e, null);
      return false;
    }
    byte[] hash = hash(contents);
    if (Arrays.equals(hash, loadedHash)) {
      // back to the content in use (a bad edit was undone): nothing is wrong any more
      rejectedHash = null;
      lastError = null;
      return false;
    }
    if (Arrays.equals(hash, rejectedHash)) {
      return false;
    }
    T next;
    try {
      next = parser.parse(contents);
    } catch (TlsMaterialException e) {
      reject(e, hash);
      return false;
    } catch (RuntimeException e) {
      reject(
          new TlsMaterialException(files, files + ": cannot use the new " + what + ": " + e, e),
          hash);
      return false;
    }
    current = next;
    loadedHash = hash;
    rejectedHash = null;
    lastError = null;
    String description = what + " reloaded from " + files + ": " + describer.apply(next);
    log.info("{}", description);
    for (TlsMaterialListener l : listeners) {
      try {
        l.reloaded(description);
      } catch (RuntimeException e) {
        log.warn("a TLS material listener failed", e);
      }
    }
    return true;
  }

  private void reject(TlsMaterialException e, byte[] hash) {
    boolean firstTime =
        hash == null
            ? lastError == null || !String.valueOf(lastError.getMessage()).equals(e.getMessage())
            : !Arrays.equals(hash, rejectedHash);
    rejectedHash = hash;
    lastError = e;
    if (!firstTime) {
      return;
    }
    log.error(
        "cannot reload the {}; keeping the one in use ({}): {}",
        what,
        describer.apply(current),
        e.getMessage());
    for (TlsMaterialListener l : listeners) {
      try {
        l.reloadFailed(e);
      } catch (RuntimeException ex) {
        log.warn("a TLS material listener failed", ex);
      }
    }
  }

  /** Checks the files every {@code interval} on {@code scheduler}. */
  Scheduler.Cancellable watch(Scheduler scheduler, Duration interval) {
    requireNonNull(scheduler, "scheduler");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    Scheduler.Cancellable c =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                reload();
              } catch (RuntimeException e) {
                log.warn("checking {} failed", files, e);
              }
            },
            interval.toNanos());
    watches.add(c);
    return c;
  }

  /** Checks the files every {@code interval} on a daemon thread owned by this object. */
  synchronized void watch(Duration interval) {
    if (ownScheduler == null) {
      ownScheduler = new DaemonScheduler("weft-tls-watch");
    }
    watch(ownScheduler, interval);
  }

  @Override
  public synchronized void close() {
    for (Scheduler.Cancellable c : watches) {
      c.cancel();
    }
    watches.clear();
    if (ownScheduler != null) {
      ownScheduler.close();
      ownScheduler = null;
    }
  }

  private List<byte[]> readAll() {
    List<byte[]> out = new ArrayList<>(files.size());
    for (java.nio.file.Path f : files) {
      out.add(PemFiles.read(f));
    }
    return out;
  }

  private static byte[] hash(List<byte[]> contents) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (byte[] c : contents) {
        sha.update(Integer.toString(c.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(c);
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
