package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.testing.http.RawHttp;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application that names the service it serves but has no mesh to take policies from does not
 * start serving everyone: it refuses to start and says what to set, unless authorization is
 * switched off explicitly.
 */
class ServerAuthorizationFailsClosedTest {

  private static SpringApplicationBuilder app(String... properties) {
    return new SpringApplicationBuilder(Served.class)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off")
        .properties(properties);
  }

  @Test
  void aServedServiceWithoutAMeshRefusesToStartAndSaysWhatToSet() {
    assertThatThrownBy(() -> app("weft.mesh.server.service=reviews").run().close())
        .rootCause()
        .hasMessageContaining("weft.mesh.server.service=reviews")
        .hasMessageContaining("set weft.mesh.config.file")
        .hasMessageContaining("weft.mesh.server.authorization=false");
  }

  @Test
  void withAuthorizationSwitchedOffItStartsAndServes() throws Exception {
    try (ConfigurableApplicationContext context =
        app("weft.mesh.server.service=reviews", "weft.mesh.server.authorization=false").run()) {
      assertThat(context.getBeansOfType(AuthorizationEnforcer.class)).isEmpty();
      assertThat(context.containsBean("meshServletFilter"))
          .as("the filter still traces and measures")
          .isTrue();
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      RawHttp.Response r = RawHttp.send(port, "GET", "/hello", List.of(), null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("hello");
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Hello.class)
  static class Served {}

  @RestController
  static class Hello {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }
}
