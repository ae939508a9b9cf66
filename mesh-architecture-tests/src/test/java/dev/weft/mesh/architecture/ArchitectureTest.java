package dev.weft.mesh.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.weft.mesh.api.archfixture.ApiClassWithForeignDependency;
import dev.weft.mesh.core.archfixture.CoreClassThatKnowsHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.weft.mesh");
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
  void discoveryAndSecurityStayBelowTheProtocols() {
    LayeringRules.DISCOVERY_AND_SECURITY_BELOW_PROTOCOLS.check(production);
  }

  @Test
  void protocolModulesAreIndependent() {
    LayeringRules.PROTOCOLS_INDEPENDENT.check(production);
    LayeringRules.HTTP_INDEPENDENT_OF_GRPC.check(production);
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
    JavaClasses offending = new ClassFileImporter().importClasses(ApiClassWithForeignDependency.class);
    assertThatThrownBy(() -> LayeringRules.API_DEPENDS_ON_NOTHING.check(offending))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(ApiClassWithForeignDependency.class.getName())
        .hasMessageContaining("com.tngtech.archunit");
  }
}
