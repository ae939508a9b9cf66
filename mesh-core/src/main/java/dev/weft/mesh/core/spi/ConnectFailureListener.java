package dev.weft.mesh.core.spi;

import dev.weft.mesh.api.config.Endpoint;

/**
 * Told when an attempt could not connect to its endpoint ({@link
 * AttemptOutcome.Kind#CONNECT_FAILURE}, whatever the protocol), for parts that learn from it that
 * an address may be stale, such as DNS discovery resolving a name again early. Register one with
 * {@code Mesh.addConnectFailureListener}; a configuration source that implements it is registered
 * by the mesh it feeds.
 *
 * <p>Threading: called on the call path, on the thread that ended the attempt, concurrently for
 * different calls. A listener must be quick, must not block and should not allocate (hand any work
 * to a thread of its own); what it throws is logged once and otherwise ignored.
 */
@FunctionalInterface
public interface ConnectFailureListener {

  /** An attempt to {@code endpoint} of the cluster named {@code cluster} could not connect. */
  void connectFailed(String cluster, Endpoint endpoint);
}
