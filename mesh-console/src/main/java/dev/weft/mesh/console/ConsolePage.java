package dev.weft.mesh.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The console's page: one HTML document with its style sheet and script inlined, read once from the
 * jar, and the Content-Security-Policy that allows exactly that script and that style (by their
 * hashes) and nothing from elsewhere. One document means no relative URL to get wrong under
 * whatever path the page is mounted; the script finds the state endpoint next to the page's own
 * URL.
 */
final class ConsolePage {
  private static final String SCRIPT_MARK = "/*@CONSOLE_JS@*/";
  private static final String STYLE_MARK = "/*@CONSOLE_CSS@*/";

  final byte[] html;
  final String contentSecurityPolicy;

  private ConsolePage(byte[] html, String contentSecurityPolicy) {
    this.html = html;
    this.contentSecurityPolicy = contentSecurityPolicy;
  }

  static ConsolePage load() {
    String page = resource("console.html");
    String css = resource("console.css");
    String js = resource("console.js");
    if (!page.contains(SCRIPT_MARK) || !page.contains(STYLE_MARK)) {
      throw new IllegalStateException("console.html lacks its script or style mark");
    }
    String html = page.replace(STYLE_MARK, css).replace(SCRIPT_MARK, js);
    String csp =
        "default-src 'none'; script-src '"
            + sha256(js)
            + "'; style-src '"
            + sha256(css)
            + "'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";
    return new ConsolePage(html.getBytes(StandardCharsets.UTF_8), csp);
  }

  private static String resource(String name) {
    try (InputStream in = ConsolePage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the console's " + name, e);
    }
  }

  private static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
