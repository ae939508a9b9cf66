/**
 * Weft for OkHttp: {@link dev.weft.mesh.http.okhttp.MeshInterceptor}, an application interceptor
 * that sends requests for mesh services through the mesh, one {@code chain.proceed} per attempt, so
 * that OkHttp and Retrofit code is unchanged.
 */
package dev.weft.mesh.http.okhttp;
