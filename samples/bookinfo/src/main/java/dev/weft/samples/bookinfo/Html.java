package dev.weft.samples.bookinfo;

import java.util.List;
import java.util.Map;

/** The product page's HTML, kept apart from the service's plumbing. */
final class Html {

  @SuppressWarnings("unchecked")
  static String page(Map<String, Object> product, String user) {
    StringBuilder html = new StringBuilder();
    html.append(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Simple Bookstore App</title>")
        .append(
            "<style>body{font-family:sans-serif;margin:2em} .red{color:#c00} .black{color:#000} td{padding:2px 8px}</style>")
        .append("</head><body><h1>")
        .append(esc(product.get("title")))
        .append("</h1>");
    html.append(
        user == null
            ? "<p>Signed out. <a href=\"/productpage?u=jason\">Sign in as jason</a></p>"
            : "<p>Signed in as <b>"
                + esc(user)
                + "</b>. <a href=\"/productpage\">Sign out</a></p>");
    html.append("<h2>Book Details</h2>");
    Map<String, Object> details = (Map<String, Object>) product.get("details");
    if (details.containsKey("error")) {
      html.append("<p>").append(esc(details.get("error"))).append("</p>");
    } else {
      html.append("<table>");
      details.forEach(
          (k, v) ->
              html.append("<tr><td>")
                  .append(esc(k))
                  .append("</td><td>")
                  .append(esc(v))
                  .append("</td></tr>"));
      html.append("</table>");
    }
    html.append("<h2>Book Reviews</h2>");
    if (product.containsKey("reviewsError")) {
      html.append("<p>").append(esc(product.get("reviewsError"))).append("</p>");
    } else {
      html.append("<p><small>served by ")
          .append(esc(product.get("reviewsVersion")))
          .append("</small></p>");
      for (Map<String, Object> review : (List<Map<String, Object>>) product.get("reviews")) {
        html.append("<blockquote><p>")
            .append(esc(review.get("text")))
            .append("</p><small>")
            .append(esc(review.get("reviewer")))
            .append("</small>");
        Map<String, Object> rating = (Map<String, Object>) review.get("rating");
        if (rating != null && rating.containsKey("error")) {
          html.append("<p><i>").append(esc(rating.get("error"))).append("</i></p>");
        } else if (rating != null) {
          int stars = ((Number) rating.get("stars")).intValue();
          html.append("<p class=\"")
              .append(esc(rating.get("color")))
              .append("\">")
              .append("\u2605".repeat(stars))
              .append("\u2606".repeat(5 - stars))
              .append("</p>");
        }
        html.append("</blockquote>");
      }
    }
    return html.append("</body></html>").toString();
  }

  private static String esc(Object value) {
    return String.valueOf(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private Html() {}
}
