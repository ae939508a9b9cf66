/**
 * The authorization-policy model: immutable records after Istio's {@code AuthorizationPolicy},
 * enforced by {@code mesh-security}'s {@code Authorizer}.
 */
package dev.weft.mesh.api.security;
