/**
 * Annotations for typed client interfaces of mesh services:
 *
 * <pre>{@code
 * @MeshClient("reviews")
 * interface Reviews {
 *   @Get("/reviews/{id}")
 *   Review get(@Path("id") int id, @Header("end-user") String user);
 * }
 * }</pre>
 *
 * <p>{@code mesh-http} turns such an interface into a working client.
 */
package dev.weft.mesh.api.client;
