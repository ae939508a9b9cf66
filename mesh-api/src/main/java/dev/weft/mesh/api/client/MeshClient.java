package dev.weft.mesh.api.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface whose methods are calls to one mesh service, for example
 * {@code @MeshClient("reviews")}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MeshClient {
  /** The logical service the calls go to. */
  String value();
}
