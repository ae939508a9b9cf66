/**
 * Lets routes and clusters name the application's own Resilience4j circuit breakers, bulkheads and
 * rate limiters ({@code resilience4j: {circuitBreaker: reviews, bulkhead: reviews}}): {@link
 * dev.weft.mesh.resilience4j.Resilience4jCallGuards} resolves the names against the application's
 * registries and guards each call with them, with the engine's classification of the call's
 * outcome. See {@code docs/resilience4j.md}.
 */
package dev.weft.mesh.resilience4j;
