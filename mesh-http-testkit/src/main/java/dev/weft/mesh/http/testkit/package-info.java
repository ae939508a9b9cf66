/**
 * The acceptance contract of HTTP client adapters: {@link
 * dev.weft.mesh.http.testkit.HttpClientAdapterContract} runs a real client against WireMock servers
 * on loopback through a mesh with weighted splits, retries, timeouts and tracing, so that each
 * adapter proves the same behaviour with one subclass.
 */
package dev.weft.mesh.http.testkit;
