package dev.weft.mesh.api.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a call safe to repeat although its HTTP method is not idempotent (a POST that only
 * reads): the retries and hedging configured on its route then apply to it. GET, HEAD, OPTIONS, PUT
 * and DELETE calls are idempotent already.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Idempotent {}
