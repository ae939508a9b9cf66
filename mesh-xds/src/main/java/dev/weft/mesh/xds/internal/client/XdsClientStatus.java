package dev.weft.mesh.xds.internal.client;

import java.util.List;

/**
 * What an {@link XdsClient} is doing, for status pages and the config dump (after CSDS).
 *
 * @param server the management server in use
 * @param state the stream's state
 * @param lastStreamError the last reason the stream broke, or empty
 * @param types per resource type, in subscription order
 */
public record XdsClientStatus(
    String server, ConnectionState state, String lastStreamError, List<TypeStatus> types) {

  public XdsClientStatus {
    types = List.copyOf(types);
  }

  /** The state of the ADS stream. */
  public enum ConnectionState {
    /** Opening a stream, or waiting to retry after one broke. */
    CONNECTING,
    /** A stream is open. */
    CONNECTED,
    /** The client was closed. */
    CLOSED
  }

  /**
   * One resource type.
   *
   * @param type the resource type
   * @param version the version accepted last (ACKed), or empty
   * @param nonce the nonce of the last response, or empty
   * @param subscribed the resource names subscribed
   * @param accepted responses accepted
   * @param rejected responses rejected (NACKed)
   * @param lastError the error_detail of the last NACK, or empty
   * @param fromCache whether the values in force came from the on-disk cache and the server has not
   *     confirmed them yet
   */
  public record TypeStatus(
      XdsResourceType<?> type,
      String version,
      String nonce,
      List<String> subscribed,
      long accepted,
      long rejected,
      String lastError,
      boolean fromCache) {
    public TypeStatus {
      subscribed = List.copyOf(subscribed);
    }

    /** The type URL. */
    public String typeUrl() {
      return type.typeUrl();
    }

    /** The short name, for example {@code Cluster}. */
    public String shortName() {
      return type.shortName();
    }
  }

  /** The status of {@code type} (the same instance), if the client has seen it. */
  public java.util.Optional<TypeStatus> type(XdsResourceType<?> type) {
    return types.stream().filter(t -> t.type() == type).findFirst();
  }

  /**
   * The status of the type with this short name, if the client has seen it; for people and tests.
   */
  public java.util.Optional<TypeStatus> type(String shortName) {
    return types.stream().filter(t -> t.shortName().equals(shortName)).findFirst();
  }
}
