package dev.weft.mesh.console;

import java.util.List;

/**
 * Where the console reads recent authorization denials. {@link RecentDenials} is the one to use
 * with {@code mesh-security}'s enforcers; this interface keeps the console free of {@code
 * mesh-security} for applications that do not authorize.
 */
@FunctionalInterface
public interface DenialSource {

  /** The latest denials, newest first. Quick, never blocking. */
  List<Denial> recentDenials();
}
