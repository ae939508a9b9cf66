package dev.weft.mesh.security.tls;

/**
 * Told when watched TLS material changes. Called on the thread that ran the reload (the watcher's
 * scheduler, or whoever called {@code reload()}); must be quick and must not throw.
 */
public interface TlsMaterialListener {

  /** New material is in use for new handshakes; {@code description} says what (files, serials). */
  default void reloaded(String description) {}

  /** The files changed but could not be used; the material in use before stays in use. */
  default void reloadFailed(TlsMaterialException error) {}
}
