package dev.weft.mesh.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.weft.mesh.api.archfixture.ApiClassWithForeignDependency;
import dev.weft.mesh.core.archfixture.CoreClassThatKnowsHttp;
import dev.weft.mesh.grpc.archfixture.GrpcClassThatUsesCoreInternals;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.weft.mesh");
  }

  @Test
  void theConsoleKnowsNoProtocolAndOnlyTheStarterUsesIt() {
    LayeringRules.CONSOLE_KNOWS_NO_PROTOCOL.check(production);
    LayeringRules.ONLY_THE_STARTER_USES_THE_CONSOLE.check(production);
  }

  @Test
  void apiDependsOnNothing() {
    LayeringRules.API_DEPENDS_ON_NOTHING.check(production);
  }

  @Test
  void coreKnowsNoProtocol() {
    LayeringRules.CORE_KNOWS_NO_PROTOCOL.check(production);
  }

  @Test
  void noLibraryDependsOnTheStarter() {
    LayeringRules.NO_LIBRARY_DEPENDS_ON_STARTER.allowEmptyShould(true).check(production);
  }

  @Test
  void configSourcesAndSecurityStayBelowTheProtocols() {
    LayeringRules.DISCOVERY_AND_SECURITY_BELOW_PROTOCOLS.check(production);
  }

  @Test
  void theFileSourceNeedsOnlyTheApi() {
    LayeringRules.FILE_SOURCE_NEEDS_ONLY_THE_API.check(production);
  }

  @Test
  void librariesDoNotUseTheTestKit() {
    LayeringRules.LIBRARIES_DO_NOT_USE_THE_TEST_KIT.check(production);
  }

  @Test
  void protocolModulesAreIndependent() {
    LayeringRules.PROTOCOLS_INDEPENDENT.check(production);
    LayeringRules.HTTP_INDEPENDENT_OF_GRPC.check(production);
    LayeringRules.RESILIENCE4J_KNOWS_NO_PROTOCOL.check(production);
  }

  @Test
  void routeAndPickTakeNoLock() {
    LayeringRules.ROUTE_AND_PICK_USE_NO_LOCK_CLASSES.check(production);
    LayeringRules.ROUTE_AND_PICK_HAVE_NO_SYNCHRONIZED_METHODS.check(production);
  }

  @Test
  void theCoreRuleCatchesACoreClassThatUsesHttp() {
    JavaClasses offending = new ClassFileImporter().importClasses(CoreClassThatKnowsHttp.class);
    assertThatThrownBy(() -> LayeringRules.CORE_KNOWS_NO_PROTOCOL.check(offending))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(CoreClassThatKnowsHttp.class.getName())
        .hasMessageContaining("java.net.http.HttpClient");
  }

  @Test
  void theApiRuleCatchesAnApiClassWithAForeignDependency() {
    JavaClasses offending =
        new ClassFileImporter().importClasses(ApiClassWithForeignDependency.class);
    assertThatThrownBy(() -> LayeringRules.API_DEPENDS_ON_NOTHING.check(offending))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(ApiClassWithForeignDependency.class.getName())
        .hasMessageContaining("com.tngtech.archunit");
  }

  @Test
  void noModuleUsesAnotherModulesInternalPackages() {
    JavaClasses everything = InternalPackages.everyModulesClasses();
    // main and test classes of every module that is built before this one
    assertThat(
            everything.stream()
                .map(c -> InternalPackages.moduleOf(c.getPackageName()).orElse("?"))
                .distinct())
        .contains(
            "mesh-core",
            "mesh-xds",
            "mesh-grpc",
            "mesh-http",
            "mesh-spring-starter",
            "mesh-testing",
            "samples");
    assertThat(everything.stream().filter(c -> c.getSimpleName().endsWith("Test"))).isNotEmpty();
    InternalPackages.NO_MODULE_USES_ANOTHER_MODULES_INTERNALS.check(everything);
  }

  @Test
  void theInternalRuleCatchesAModuleThatUsesAnotherModulesInternals() {
    JavaClasses offending =
        new ClassFileImporter().importClasses(GrpcClassThatUsesCoreInternals.class);
    assertThatThrownBy(
            () -> InternalPackages.NO_MODULE_USES_ANOTHER_MODULES_INTERNALS.check(offending))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(GrpcClassThatUsesCoreInternals.class.getName())
        .hasMessageContaining(
            "mesh-grpc uses mesh-core's internal dev.weft.mesh.core.internal.lb.PeakEwma");
  }

  @Test
  void aModuleMayUseItsOwnInternals() {
    JavaClasses own = new ClassFileImporter().importPackages("dev.weft.mesh.core");
    assertThat(
            own.stream()
                .anyMatch(
                    c ->
                        c.getDirectDependenciesFromSelf().stream()
                            .anyMatch(
                                d ->
                                    InternalPackages.isInternal(
                                        d.getTargetClass().getPackageName()))))
        .isTrue();
    InternalPackages.NO_MODULE_USES_ANOTHER_MODULES_INTERNALS.check(own);
  }
}
