package dev.weft.mesh.console;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console's last line of defence against showing secrets: whatever the mesh, a config source or
 * a provider hands it, a value under a key that names a secret, and any text that looks like key
 * material (PEM blocks, JWTs, bearer credentials), is replaced before it leaves the process.
 */
final class Redaction {
  static final String REDACTED = "[redacted]";

  private static final Pattern SECRET_KEY =
      Pattern.compile(
          "(?i).*(password|passphrase|secret|token|private[-_.]?key|credential|authorization|cookie|api[-_.]?key).*");

  private static final Pattern SECRET_TEXT =
      Pattern.compile(
          "-----BEGIN|PRIVATE KEY|(?i:bearer\\s+\\S)|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}");

  private Redaction() {}

  /** A copy of {@code value} with secrets replaced. */
  static Object redact(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        out.put(key, secretKey(key) && e.getValue() != null ? REDACTED : redact(e.getValue()));
      }
      return out;
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      for (Object o : c) {
        out.add(redact(o));
      }
      return out;
    }
    if (value instanceof CharSequence s) {
      return secretText(s.toString()) ? REDACTED : s.toString();
    }
    return value;
  }

  static boolean secretKey(String key) {
    return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }

  static boolean secretText(String s) {
    return SECRET_TEXT.matcher(s).find();
  }
}
