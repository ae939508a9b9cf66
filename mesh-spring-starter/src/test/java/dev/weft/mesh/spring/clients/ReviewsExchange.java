package dev.weft.mesh.spring.clients;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;

@HttpExchange("http://reviews")
public interface ReviewsExchange {
  @GetExchange("/reviews/{id}")
  String review(@PathVariable int id);
}
