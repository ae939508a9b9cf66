/** gRPC's xDS bootstrap format (gRFC A27): {@link dev.weft.mesh.xds.bootstrap.BootstrapLoader}. */
package dev.weft.mesh.xds.bootstrap;
