/**
 * Internal: helpers shared by mesh-api's own packages. Not API; no compatibility is promised, and
 * other modules must not use it (an architecture test enforces this).
 */
package dev.weft.mesh.api.internal;
