package dev.weft.mesh.api.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.temporal.ChronoUnit;

/**
 * The most time a call of this method may take, retries included. The route's own timeout still
 * applies when it is shorter: the effective deadline is the earlier of the two.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Timeout {
  /** The amount of time. */
  long value();

  /** The unit of {@link #value()}; milliseconds unless told otherwise. */
  ChronoUnit unit() default ChronoUnit.MILLIS;
}
