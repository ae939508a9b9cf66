package dev.weft.mesh.xds;

import dev.weft.mesh.xds.XdsTranslator.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns an {@link XdsConfigSource}'s target strings into listener names and mesh service names. */
final class XdsTargets {
  private XdsTargets() {}

  /**
   * The targets for {@code raw} ({@code xds:///name} URIs or listener names), the client listener
   * template applied, each with the unambiguous short aliases of its authority.
   *
   * @throws IllegalArgumentException if a URI names no service
   */
  static List<Target> parse(List<String> raw, String template) {
    List<String> listenerNames = new ArrayList<>();
    List<String> authorities = new ArrayList<>();
    for (String t : raw) {
      if (t.startsWith("xds:")) {
        String name = t.substring(4);
        while (name.startsWith("/")) {
          name = name.substring(1);
        }
        if (name.isEmpty()) {
          throw new IllegalArgumentException("xDS target '" + t + "' names no service");
        }
        authorities.add(name);
        listenerNames.add(template.contains("%s") ? template.replace("%s", name) : name);
      } else {
        authorities.add(t);
        listenerNames.add(t);
      }
    }
    Map<String, Integer> aliasCounts = new HashMap<>();
    for (String a : authorities) {
      for (String alias : aliases(a)) {
        aliasCounts.merge(alias, 1, Integer::sum);
      }
    }
    Set<String> taken = new LinkedHashSet<>(listenerNames);
    List<Target> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      List<String> names = new ArrayList<>();
      names.add(listenerNames.get(i));
      for (String alias : aliases(authorities.get(i))) {
        if (aliasCounts.get(alias) == 1 && !taken.contains(alias)) {
          names.add(alias);
          taken.add(alias);
        }
      }
      out.add(new Target(listenerNames.get(i), authorities.get(i), names));
    }
    return out;
  }

  /**
   * {@code reviews.default.svc.cluster.local:9080} -> {@code reviews.default.svc.cluster.local},
   * {@code reviews}.
   */
  private static List<String> aliases(String authority) {
    List<String> out = new ArrayList<>();
    String host = authority;
    int colon = host.lastIndexOf(':');
    if (colon > 0
        && host.indexOf(']') < colon
        && host.substring(colon + 1).chars().allMatch(Character::isDigit)) {
      host = host.substring(0, colon);
      out.add(host);
    }
    int dot = host.indexOf('.');
    if (dot > 0 && !host.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.')) {
      out.add(host.substring(0, dot));
    }
    out.remove(authority);
    return out;
  }
}
