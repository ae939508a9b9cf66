package dev.weft.mesh.testing.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Requests that aim at a protected path by spelling it in a way a server may route to the protected
 * handler while a naive policy match sees another path, method or header: encoded letters, encoded
 * and doubled slashes, encoded and literal backslashes, dot segments (plain and encoded), path
 * parameters, case, lower-case and unknown methods. A server behind a correct filter never runs the
 * protected handler for any of them.
 */
public final class PathConfusion {
  private PathConfusion() {}

  /**
   * One probe.
   *
   * @param name what the probe tries, for test reports
   * @param method the method, sent as written
   * @param target the request target, sent as written
   */
  public record Probe(String name, String method, String target) {
    @Override
    public String toString() {
      return name + ": " + method + " " + target;
    }
  }

  /**
   * Probes aimed at {@code protectedPath} (for example {@code /admin}, one segment after the root),
   * reaching it from {@code otherPath} (another path the server serves, such as {@code /public})
   * where a probe needs a detour.
   */
  public static List<Probe> aimedAt(String protectedPath, String otherPath) {
    String name = protectedPath.substring(1);
    String first = name.substring(0, 1);
    String rest = name.substring(1);
    String hexFirst = String.format("%%%02x", (int) first.charAt(0));
    List<Probe> p = new ArrayList<>();
    p.add(new Probe("plain", "GET", protectedPath));
    p.add(new Probe("encoded letter", "GET", "/" + hexFirst + rest));
    p.add(new Probe("upper-case encoded letter", "GET", "/" + hexFirst.toUpperCase() + rest));
    p.add(new Probe("doubled slash", "GET", "/" + protectedPath));
    p.add(new Probe("encoded slash", "GET", "/%2F" + name));
    p.add(new Probe("encoded slash inside", "GET", otherPath + "%2F..%2F" + name));
    p.add(new Probe("encoded backslash", "GET", otherPath + "%5C..%5C" + name));
    p.add(new Probe("literal backslash", "GET", otherPath + "\\..\\" + name));
    p.add(new Probe("dot segment", "GET", otherPath + "/../" + name));
    p.add(new Probe("encoded dot segment", "GET", otherPath + "/%2e%2e/" + name));
    p.add(new Probe("encoded dot segment, upper case", "GET", otherPath + "/%2E%2E/" + name));
    p.add(new Probe("single dot segment", "GET", "/./" + name));
    p.add(new Probe("path parameter", "GET", protectedPath + ";x=1"));
    p.add(new Probe("path parameter on a detour", "GET", otherPath + ";x=/../" + name));
    p.add(new Probe("trailing slash", "GET", protectedPath + "/"));
    p.add(new Probe("query", "GET", protectedPath + "?x=/" + otherPath.substring(1)));
    p.add(new Probe("case", "GET", protectedPath.toUpperCase()));
    p.add(new Probe("lower-case method", "get", protectedPath));
    p.add(new Probe("mixed-case method", "Get", protectedPath));
    p.add(new Probe("unknown method", "FROB", protectedPath));
    p.add(new Probe("HEAD for GET", "HEAD", protectedPath));
    return List.copyOf(p);
  }
}
