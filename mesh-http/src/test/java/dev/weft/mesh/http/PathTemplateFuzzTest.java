package dev.weft.mesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the path templates of annotated clients ({@link PathTemplate}, which {@code MethodPlan}
 * reads every {@code @Get("/…")} through). The input's first line is the template, each further
 * line the value of the next variable. Invariants: only {@link IllegalArgumentException} escapes
 * parsing and expanding; an accepted template is its own {@code toString} and parses again to the
 * same variables; its expansion is a URI path (and query) that {@link URI#create} reads with no
 * fragment, with as many path segments as the template, where a segment that is one variable
 * decodes back to its value and no segment holding a value is {@code .} or {@code ..}. The seeds in
 * {@code PathTemplateFuzzTestInputs} run as regression tests; see {@code docs/fuzzing.md}.
 */
class PathTemplateFuzzTest {

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void template(byte[] input) {
    String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
    String raw = lines[0];
    PathTemplate template;
    try {
      template = PathTemplate.parse(raw);
    } catch (IllegalArgumentException rejected) {
      assertThat(rejected.getMessage()).startsWith("a path template ").contains(raw);
      return;
    }
    assertThat(template.toString()).isEqualTo(raw);
    assertThat(PathTemplate.parse(raw).variables()).isEqualTo(template.variables());
    for (String v : template.variables()) {
      assertThat(v).matches("[A-Za-z0-9_.-]+");
    }

    List<String> names = new ArrayList<>(template.variables());
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      values.put(names.get(i), i + 1 < lines.length ? lines[i + 1] : "v");
    }
    String expanded;
    try {
      expanded = template.expand(values);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).contains("would make the request reach another path");
      return;
    }
    URI uri = URI.create("http://svc" + expanded);
    assertThat(uri.getRawFragment()).isNull();
    assertThat(uri.getHost()).isEqualTo("svc");
    int q = raw.indexOf('?');
    String templatePath = q < 0 ? raw : raw.substring(0, q);
    String[] templateSegments = templatePath.split("/", -1);
    String[] segments = uri.getRawPath().split("/", -1);
    assertThat(segments).as("segments of %s", expanded).hasSameSizeAs(templateSegments);
    for (int i = 0; i < segments.length; i++) {
      String t = templateSegments[i];
      if (t.indexOf('{') >= 0) {
        assertThat(segments[i]).as("segment %d of %s", i, expanded).isNotIn(".", "..");
      }
      if (t.startsWith("{") && t.endsWith("}") && t.indexOf('{', 1) < 0) {
        String name = t.substring(1, t.length() - 1);
        assertThat(URLDecoder.decode(segments[i], StandardCharsets.UTF_8))
            .as("segment %d of %s", i, expanded)
            .isEqualTo(values.get(name));
      }
    }
  }
}
