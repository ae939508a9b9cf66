package dev.weft.mesh.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;

/** The direction of dependencies between Weft's modules, as docs/architecture.md draws it. */
final class LayeringRules {

  /** The public vocabulary depends on the JDK alone. */
  static final ArchRule API_DEPENDS_ON_NOTHING =
      classes()
          .that()
          .resideInAPackage("dev.weft.mesh.api..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("java..", "dev.weft.mesh.api..")
          .because("mesh-api is the dependency-free vocabulary every other module shares");

  /** The engine is protocol-neutral. */
  static final ArchRule CORE_KNOWS_NO_PROTOCOL =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.grpc..",
              "io.netty..",
              "java.net.http..",
              "com.sun.net.httpserver..",
              "jakarta.servlet..",
              "com.google.protobuf..",
              "io.envoyproxy..",
              "dev.weft.mesh.grpc..",
              "dev.weft.mesh.http..",
              "dev.weft.mesh.config.file..",
              "dev.weft.mesh.xds..",
              "dev.weft.mesh.kubernetes..",
              "dev.weft.mesh.security..",
              "dev.weft.mesh.spring..",
              "dev.weft.mesh.testing..",
              "dev.weft.mesh.resilience4j..",
              "io.github.resilience4j..",
              "org.springframework..")
          .because(
              "mesh-core knows neither gRPC nor HTTP: protocols plug in through the attempt adapter");

  /** Libraries never reach up into the Spring starter. */
  static final ArchRule NO_LIBRARY_DEPENDS_ON_STARTER =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.weft.mesh.spring..")
          .and()
          .resideInAPackage("dev.weft.mesh..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.weft.mesh.spring..")
          .because("mesh-spring-starter is auto-configuration only; nothing depends on it");

  /** Config sources and security sit beside each other on the core, not on the protocols. */
  static final ArchRule DISCOVERY_AND_SECURITY_BELOW_PROTOCOLS =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.weft.mesh.config.file..",
              "dev.weft.mesh.xds..",
              "dev.weft.mesh.kubernetes..",
              "dev.weft.mesh.security..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.weft.mesh.grpc..", "dev.weft.mesh.http..")
          .allowEmptyShould(true);

  /**
   * The YAML file source needs the API and SnakeYAML only, so that an application configured from a
   * file carries no Netty, protobuf or Envoy API.
   */
  static final ArchRule FILE_SOURCE_NEEDS_ONLY_THE_API =
      classes()
          .that()
          .resideInAPackage("dev.weft.mesh.config.file..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "dev.weft.mesh.api..",
              "dev.weft.mesh.config.file..",
              "org.yaml.snakeyaml..",
              "org.slf4j..")
          .because(
              "mesh-config-file is the configuration source of applications that run without a control plane");

  /** Main code of the libraries never uses the test kit: main jars ship no test helpers. */
  static final ArchRule LIBRARIES_DO_NOT_USE_THE_TEST_KIT =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh..")
          .and()
          .resideOutsideOfPackage("dev.weft.mesh.testing..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.weft.mesh.testing..")
          .because(
              "mesh-testing is a test-scope dependency for users; the libraries do not depend on it");

  /** The two protocol modules are independent of each other. */
  static final ArchRule PROTOCOLS_INDEPENDENT =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh.grpc..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.weft.mesh.http..")
          .allowEmptyShould(true);

  static final ArchRule HTTP_INDEPENDENT_OF_GRPC =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh.http..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.weft.mesh.grpc..")
          .allowEmptyShould(true);

  /**
   * The console reads the engine (and, optionally, the audit sink of security); it knows no
   * protocol and no config source, so that every application can serve it.
   */
  static final ArchRule CONSOLE_KNOWS_NO_PROTOCOL =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh.console..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.grpc..",
              "dev.weft.mesh.grpc..",
              "dev.weft.mesh.http..",
              "dev.weft.mesh.xds..",
              "dev.weft.mesh.config.file..",
              "org.springframework..")
          .because("mesh-console sits on mesh-core and is served by any host");

  /** Only the starter builds on the console: it is an add-on, not a layer. */
  static final ArchRule ONLY_THE_STARTER_USES_THE_CONSOLE =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh..")
          .and()
          .resideOutsideOfPackages("dev.weft.mesh.console..", "dev.weft.mesh.spring..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.weft.mesh.console..")
          .because("mesh-console is optional: no library needs it");

  /**
   * The Resilience4j integration guards calls through the engine's hook, whatever their protocol.
   */
  static final ArchRule RESILIENCE4J_KNOWS_NO_PROTOCOL =
      noClasses()
          .that()
          .resideInAPackage("dev.weft.mesh.resilience4j..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.weft.mesh.grpc..",
              "dev.weft.mesh.http..",
              "io.grpc..",
              "java.net.http..",
              "org.springframework..")
          .because("mesh-resilience4j plugs into mesh-core's CallGuard SPI only");

  /** The classes a call goes through to be routed and to pick its endpoint. */
  private static final com.tngtech.archunit.base.DescribedPredicate<
          com.tngtech.archunit.core.domain.JavaClass>
      ROUTE_AND_PICK =
          com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(
                  "dev.weft.mesh.core.internal.lb..")
              .or(
                  com.tngtech.archunit.base.DescribedPredicate.describe(
                      "the router classes",
                      c ->
                          c.getPackageName().equals("dev.weft.mesh.core")
                              && java.util.Set.of(
                                      "RouteMatcher",
                                      "ServiceRouter",
                                      "WeightedTargets",
                                      "RouteTarget",
                                      "Hashing",
                                      "CanaryTap")
                                  .contains(c.getSimpleName().replaceAll("\\$.*", ""))));

  /** Route and pick take no lock: no lock classes... */
  static final ArchRule ROUTE_AND_PICK_USE_NO_LOCK_CLASSES =
      noClasses()
          .that(ROUTE_AND_PICK)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("java.util.concurrent.locks..")
          .because("the call path (route + pick) takes no lock");

  /** ...and no synchronized methods. */
  static final ArchRule ROUTE_AND_PICK_HAVE_NO_SYNCHRONIZED_METHODS =
      com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods()
          .that()
          .areDeclaredInClassesThat(ROUTE_AND_PICK)
          .should()
          .haveModifier(com.tngtech.archunit.core.domain.JavaModifier.SYNCHRONIZED)
          .because("the call path (route + pick) takes no lock");

  private LayeringRules() {}
}
