package dev.weft.mesh.security.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS material (a certificate chain, private key or CA bundle) could not be loaded. The message
 * names the files and says what was wrong with them; when this is reported for a reload, the
 * material in use before stays in use.
 */
public final class TlsMaterialException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<Path> files;

  /** A failure involving {@code files}; {@code message} should name them. */
  public TlsMaterialException(List<Path> files, String message, Throwable cause) {
    super(message, cause);
    this.files = List.copyOf(files);
  }

  /** A failure of one file. */
  public TlsMaterialException(Path file, String message, Throwable cause) {
    this(List.of(file), message, cause);
  }

  /** A failure of one file, with no underlying exception. */
  public TlsMaterialException(Path file, String message) {
    this(List.of(file), message, null);
  }

  /** The files involved. */
  public List<Path> files() {
    return files;
  }
}
