/**
 * For tests of servers behind Weft's authorization: {@link dev.weft.mesh.testing.http.RawHttp}
 * sends requests exactly as written, and {@link dev.weft.mesh.testing.http.PathConfusion} lists the
 * spellings of a protected path that servers and policies have been known to read differently
 * (Istio CVE-2021-31920, Envoy CVE-2021-29492 and their kin).
 */
package dev.weft.mesh.testing.http;
