package dev.weft.mesh.api.archfixture;

import com.tngtech.archunit.core.domain.JavaClasses;

/** A deliberate violation: a class in the API's package space that depends on a library. */
public final class ApiClassWithForeignDependency {
  public int count(JavaClasses classes) {
    return classes.size();
  }
}
