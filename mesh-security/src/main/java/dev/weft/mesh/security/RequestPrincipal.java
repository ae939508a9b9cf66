package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end user a request speaks for: the claims of a JSON Web Token that a {@link
 * dev.weft.mesh.api.security.RequestAuthentication} verified. Its {@linkplain #getName() name} is
 * Istio's request principal {@code ISSUER/SUBJECT}, which authorization policies match with {@code
 * requestPrincipals}.
 *
 * <p>Servers hand it to the application: {@code MeshGrpcSecurity.REQUEST_PRINCIPAL} in the gRPC
 * {@code Context}, {@code HttpServletRequest.getUserPrincipal()} behind the servlet filter, and
 * {@code MeshHttpServerFilter.requestPrincipal(exchange)} for the JDK server.
 *
 * @param issuer the token's {@code iss}
 * @param subject the token's {@code sub}; empty when it has none
 * @param audiences the token's {@code aud}, possibly empty
 * @param presenter the token's {@code azp} (authorized party); empty when it has none
 * @param claims every claim of the token, as JSON values (strings, numbers, booleans, lists and
 *     maps)
 */
public record RequestPrincipal(
    String issuer,
    String subject,
    List<String> audiences,
    String presenter,
    Map<String, Object> claims)
    implements Principal {

  public RequestPrincipal {
    requireNonNull(issuer, "issuer");
    requireNonNull(subject, "subject");
    audiences = List.copyOf(audiences);
    requireNonNull(presenter, "presenter");
    claims = freezeObject(claims);
  }

  /** A deep, immutable copy of a JSON object; null members are left out. */
  private static Map<String, Object> freezeObject(Map<?, ?> object) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    object.forEach(
        (k, v) -> {
          Object frozen = freeze(v);
          if (k != null && frozen != null) {
            out.put(String.valueOf(k), frozen);
          }
        });
    return java.util.Collections.unmodifiableMap(out);
  }

  private static Object freeze(Object value) {
    if (value instanceof Map<?, ?> map) {
      return freezeObject(map);
    }
    if (value instanceof java.util.Collection<?> list) {
      return list.stream().map(RequestPrincipal::freeze).filter(v -> v != null).toList();
    }
    return value;
  }

  /** {@code ISSUER/SUBJECT}, Istio's request principal. */
  @Override
  public String getName() {
    return issuer + "/" + subject;
  }

  /**
   * The claim at {@code path}, from the outermost claim inward ({@code ["realm", "role"]} reads
   * {@code realm.role}); empty when any step is missing or not an object.
   */
  public Optional<Object> claim(List<String> path) {
    Object at = claims;
    for (String name : path) {
      if (!(at instanceof Map<?, ?> map)) {
        return Optional.empty();
      }
      at = map.get(name);
      if (at == null) {
        return Optional.empty();
      }
    }
    return Optional.of(at);
  }

  /**
   * The claim at {@code path} as strings: a string is one value, a list gives its strings, numbers
   * and booleans their JSON text; an object or a missing claim gives none.
   */
  public List<String> claimValues(List<String> path) {
    Object value = claim(path).orElse(null);
    if (value instanceof String s) {
      return List.of(s);
    }
    if (value instanceof Number || value instanceof Boolean) {
      return List.of(String.valueOf(value));
    }
    if (value instanceof List<?> list) {
      return list.stream()
          .filter(v -> v instanceof String || v instanceof Number || v instanceof Boolean)
          .map(String::valueOf)
          .toList();
    }
    return List.of();
  }

  /** Names the principal without its claims, which may be personal data. */
  @Override
  public String toString() {
    return "RequestPrincipal[" + getName() + "]";
  }
}
