/**
 * The engine's implementation, shared by its packages: not API. Classes here are public only so
 * that {@code dev.weft.mesh.core}, {@code internal.lb} and {@code internal.health} can share them;
 * other modules must not use them (an architecture rule checks it), and they change without notice.
 */
package dev.weft.mesh.core.internal;
