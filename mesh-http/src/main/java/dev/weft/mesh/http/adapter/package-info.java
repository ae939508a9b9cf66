/**
 * What every adapter of an existing HTTP client (OkHttp, Apache HttpClient, Spring's RestTemplate
 * and WebClient) shares: which hosts are mesh services ({@link
 * dev.weft.mesh.http.adapter.MeshHosts}), a logical request as the engine sees it ({@link
 * dev.weft.mesh.http.adapter.LogicalHttpRequest}), the endpoint's URL for one attempt ({@link
 * dev.weft.mesh.http.adapter.EndpointUris}), how a client's exception is classified ({@link
 * dev.weft.mesh.http.adapter.HttpFailures}), and the caller-runs attempt loop of blocking clients
 * ({@link dev.weft.mesh.http.adapter.BlockingMeshCall}). An adapter starts one attempt when the
 * engine asks for it; retries, hedges and deadlines stay in the engine.
 */
package dev.weft.mesh.http.adapter;
