/**
 * Weft for Apache HttpClient 5: exec-chain handlers, {@link
 * dev.weft.mesh.http.httpclient5.MeshExecChainHandler} for the classic client and {@link
 * dev.weft.mesh.http.httpclient5.MeshAsyncExecChainHandler} for the async one, that send requests
 * for mesh services through the mesh, one {@code chain.proceed} per attempt. {@link
 * dev.weft.mesh.http.httpclient5.MeshHttpClient5} installs them on the client builders.
 */
package dev.weft.mesh.http.httpclient5;
