/**
 * Weft for Spring's HTTP clients: {@link
 * dev.weft.mesh.http.spring.MeshRoutingClientHttpRequestFactory} for {@code RestTemplate} and
 * {@code RestClient} ({@link dev.weft.mesh.http.spring.MeshRestTemplates} applies it), and {@link
 * dev.weft.mesh.http.spring.MeshExchangeFilterFunction} for {@code WebClient}. URLs whose host
 * names a mesh service go through the mesh's attempt loop; others go out as before.
 */
package dev.weft.mesh.http.spring;
