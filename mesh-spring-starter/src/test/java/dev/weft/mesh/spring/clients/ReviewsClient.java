package dev.weft.mesh.spring.clients;

import dev.weft.mesh.api.client.Get;
import dev.weft.mesh.api.client.MeshClient;
import dev.weft.mesh.api.client.Path;

@MeshClient("reviews")
public interface ReviewsClient {
  @Get("/reviews/{id}")
  String review(@Path("id") int id);
}
