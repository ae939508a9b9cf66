package dev.weft.samples.bookinfo;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.weft.mesh.http.MeshHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Sends calls to productpage's JSON API through the mesh and tallies what came back. */
final class Traffic {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** What a batch of calls saw. */
  record Tally(
      int calls,
      Map<String, Integer> reviewsVersions,
      int reviewsUnavailable,
      int ratingsUnavailable,
      int detailsUnavailable,
      int failed,
      List<Long> sortedNanos,
      String lastTraceId) {

    double share(String version) {
      return 100.0 * reviewsVersions.getOrDefault(version, 0) / calls;
    }

    double percentileMillis(double p) {
      if (sortedNanos.isEmpty()) {
        return Double.NaN;
      }
      int index = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
      return sortedNanos.get(Math.max(0, Math.min(index, sortedNanos.size() - 1))) / 1e6;
    }
  }

  static Tally send(MeshHttpClient http, int calls, String user) throws InterruptedException {
    Map<String, Integer> versions = new TreeMap<>();
    List<Long> nanos = new ArrayList<>(calls);
    int reviewsUnavailable = 0;
    int ratingsUnavailable = 0;
    int detailsUnavailable = 0;
    int failed = 0;
    String traceId = null;
    for (int i = 0; i < calls; i++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://productpage/api/v1/products/0")).GET();
      if (user != null) {
        request.header(Http.END_USER, user);
      }
      long start = System.nanoTime();
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        nanos.add(System.nanoTime() - start);
        if (response.statusCode() != 200) {
          failed++;
          continue;
        }
        traceId = response.headers().firstValue("x-trace-id").orElse(traceId);
        Map<String, Object> product = RatingsApi.JSON.readValue(response.body(), MAP);
        Object version = product.get("reviewsVersion");
        if (version == null) {
          reviewsUnavailable++;
        } else {
          versions.merge(version.toString().replace("reviews-", ""), 1, Integer::sum);
        }
        if (product.get("details") instanceof Map<?, ?> details && details.containsKey("error")) {
          detailsUnavailable++;
        }
        if (response.body().contains(Reviews.RATINGS_UNAVAILABLE)) {
          ratingsUnavailable++;
        }
      } catch (IOException | RuntimeException e) {
        failed++;
      }
    }
    Collections.sort(nanos);
    return new Tally(
        calls,
        versions,
        reviewsUnavailable,
        ratingsUnavailable,
        detailsUnavailable,
        failed,
        nanos,
        traceId);
  }

  private Traffic() {}
}
