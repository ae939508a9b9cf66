/**
 * jqwik generators of valid {@link dev.weft.mesh.api.config.MeshConfig}s, varied in every record of
 * the model, for property tests of code that reads, writes or translates configurations. Needs
 * {@code net.jqwik:jqwik} on the test class path (an optional dependency of this module).
 */
package dev.weft.mesh.testing.config;
