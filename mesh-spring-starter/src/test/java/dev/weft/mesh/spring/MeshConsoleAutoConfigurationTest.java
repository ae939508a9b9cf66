package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.console.MeshConsole;
import dev.weft.mesh.console.RecentDenials;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

class MeshConsoleAutoConfigurationTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshXdsAutoConfiguration.class,
                  MeshAutoConfiguration.class,
                  MeshConsoleAutoConfiguration.class));

  @TempDir Path dir;
  private TestBackends backends;

  @BeforeEach
  void start() throws Exception {
    backends = new TestBackends(dir);
  }

  @AfterEach
  void stop() {
    backends.close();
  }

  @Test
  void offUnlessTheActuatorExposesIt() {
    runner
        .withPropertyValues(backends.property())
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(MeshConsole.class)
                    .doesNotHaveBean(MeshConsoleEndpoint.class)
                    .doesNotHaveBean(RecentDenials.class));
  }

  @Test
  void onOnceExposed() {
    runner
        .withPropertyValues(
            backends.property(), "management.endpoints.web.exposure.include=meshconsole")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(MeshConsole.class)
                    .hasSingleBean(MeshConsoleEndpoint.class)
                    .hasSingleBean(RecentDenials.class));
  }

  @Test
  void offWhenExposedButDisabled() {
    runner
        .withPropertyValues(
            backends.property(),
            "management.endpoints.web.exposure.include=*",
            "management.endpoint.meshconsole.access=NONE")
        .run(context -> assertThat(context).doesNotHaveBean(MeshConsole.class));
  }

  @Test
  void absentWithoutTheConsoleModule() {
    runner
        .withClassLoader(new FilteredClassLoader(MeshConsole.class))
        .withPropertyValues(
            backends.property(), "management.endpoints.web.exposure.include=meshconsole")
        .run(
            context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(MeshConsoleEndpoint.class));
  }
}
