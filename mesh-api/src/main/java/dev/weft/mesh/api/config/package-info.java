/**
 * The configuration model: immutable, validated records (services, routes, clusters, endpoints and
 * their policies) that every configuration source produces and the engine compiles. A record that
 * fails validation throws {@link dev.weft.mesh.api.config.InvalidConfigException} naming every
 * violation with its field path.
 */
package dev.weft.mesh.api.config;
