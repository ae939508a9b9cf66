package dev.weft.mesh.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers every interface annotated with {@link dev.weft.mesh.api.client.MeshClient} in the given
 * packages (by default the package of the annotated class and below) as a bean backed by the mesh's
 * HTTP client. The property {@code weft.mesh.clients.base-packages} adds packages without it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EnableMeshClients {

  /** Packages to scan; empty means the package of the annotated class. */
  String[] basePackages() default {};

  /** Classes whose packages to scan, a type-safe alternative to {@link #basePackages()}. */
  Class<?>[] basePackageClasses() default {};
}
