package dev.weft.mesh.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Packages named {@code internal} are implementation: only the module that holds them may use them.
 * A module is known by its root package; a class belongs to the module whose root its package is
 * under, so a test in a module's own packages counts as that module's, and a test placed in another
 * module's packages counts as that other module's (and would then fail to reach its package-private
 * parts through the class path of a different artifact).
 */
final class InternalPackages {

  /** Each module's root package, longest first so that nested roots win. */
  static final Map<String, String> MODULE_ROOTS =
      Map.ofEntries(
          Map.entry("dev.weft.mesh.api", "mesh-api"),
          Map.entry("dev.weft.mesh.core", "mesh-core"),
          Map.entry("dev.weft.mesh.config.file", "mesh-config-file"),
          Map.entry("dev.weft.mesh.xds", "mesh-xds"),
          Map.entry("dev.weft.mesh.kubernetes", "mesh-kubernetes"),
          Map.entry("dev.weft.mesh.security", "mesh-security"),
          Map.entry("dev.weft.mesh.grpc", "mesh-grpc"),
          Map.entry("dev.weft.mesh.http", "mesh-http"),
          Map.entry("dev.weft.mesh.resilience4j", "mesh-resilience4j"),
          Map.entry("dev.weft.mesh.http.okhttp", "mesh-okhttp"),
          Map.entry("dev.weft.mesh.http.httpclient5", "mesh-httpclient5"),
          Map.entry("dev.weft.mesh.http.spring", "mesh-http-spring"),
          Map.entry("dev.weft.mesh.http.testkit", "mesh-http-testkit"),
          Map.entry("dev.weft.mesh.spring", "mesh-spring-starter"),
          Map.entry("dev.weft.mesh.console", "mesh-console"),
          Map.entry("dev.weft.mesh.testing", "mesh-testing"),
          Map.entry("dev.weft.samples", "samples"),
          Map.entry("dev.weft.benchmarks", "benchmarks"),
          Map.entry("dev.weft.chaos", "chaos"));

  /** The module directories whose compiled main and test classes the rule reads. */
  static final List<String> MODULE_DIRECTORIES =
      List.of(
          "mesh-api",
          "mesh-core",
          "mesh-config-file",
          "mesh-xds",
          "mesh-kubernetes",
          "mesh-security",
          "mesh-grpc",
          "mesh-http",
          "mesh-resilience4j",
          "mesh-okhttp",
          "mesh-httpclient5",
          "mesh-http-spring",
          "mesh-http-testkit",
          "mesh-spring-starter",
          "mesh-console",
          "mesh-testing",
          "samples/bookinfo",
          "samples/control-plane",
          "samples/demo",
          "benchmarks",
          "chaos");

  static Optional<String> moduleOf(String packageName) {
    String best = null;
    for (String root : MODULE_ROOTS.keySet()) {
      if ((packageName.equals(root) || packageName.startsWith(root + "."))
          && (best == null || root.length() > best.length())) {
        best = root;
      }
    }
    return Optional.ofNullable(best).map(MODULE_ROOTS::get);
  }

  static boolean isInternal(String packageName) {
    return packageName.endsWith(".internal") || packageName.contains(".internal.");
  }

  /** No class uses an internal package of a module other than its own. */
  static final ArchRule NO_MODULE_USES_ANOTHER_MODULES_INTERNALS =
      classes()
          .that()
          .resideInAnyPackage("dev.weft..")
          .should(
              new ArchCondition<JavaClass>("use internal packages of their own module only") {
                @Override
                public void check(JavaClass item, ConditionEvents events) {
                  Optional<String> own = moduleOf(item.getPackageName());
                  for (Dependency d : item.getDirectDependenciesFromSelf()) {
                    String target = d.getTargetClass().getPackageName();
                    if (!isInternal(target)) {
                      continue;
                    }
                    Optional<String> owner = moduleOf(target);
                    if (owner.isPresent() && !owner.equals(own)) {
                      events.add(
                          SimpleConditionEvent.violated(
                              d,
                              own.orElse("a class outside every module")
                                  + " uses "
                                  + owner.get()
                                  + "'s internal "
                                  + d.getTargetClass().getName()
                                  + ": "
                                  + d.getDescription()));
                    }
                  }
                }
              })
          .because(
              "internal packages are not API: other modules (and users) reach a module through its public packages");

  /**
   * Every module's main and test classes, read from the reactor's build directories (the
   * architecture tests run after every module they name, so their classes are there).
   */
  static JavaClasses everyModulesClasses() {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<Location> locations = new ArrayList<>();
    for (String module : MODULE_DIRECTORIES) {
      for (String dir : List.of("target/classes", "target/test-classes")) {
        Path p = root.resolve(module).resolve(dir);
        if (Files.isDirectory(p)) {
          locations.add(Location.of(p));
        }
      }
    }
    return new ClassFileImporter().importLocations(locations);
  }

  private InternalPackages() {}
}
