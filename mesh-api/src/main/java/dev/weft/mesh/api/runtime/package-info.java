/**
 * What the mesh takes from its surroundings, injectable so that tests control it: time ({@link
 * dev.weft.mesh.api.runtime.Ticker}), delayed and periodic work ({@link
 * dev.weft.mesh.api.runtime.Scheduler}) and randomness ({@link
 * dev.weft.mesh.api.runtime.RandomSource}, with {@link dev.weft.mesh.api.runtime.Randoms}). The
 * test kit ({@code mesh-testing}) has a fake ticker and scheduler.
 */
package dev.weft.mesh.api.runtime;
