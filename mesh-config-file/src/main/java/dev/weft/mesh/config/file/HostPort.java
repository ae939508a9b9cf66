package dev.weft.mesh.config.file;

/** An endpoint address: {@code host:port}, or {@code [host]:port} for hosts with colons (IPv6). */
record HostPort(String host, int port) {
  static HostPort parse(String address) {
    String host;
    String port;
    if (address.startsWith("[")) {
      int close = address.lastIndexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException(
            "must be [host]:port when it starts with '[', for example [::1]:9081; was "
                + ReadContext.quote(address));
      }
      host = address.substring(1, close);
      port = address.substring(close + 2);
    } else {
      int colon = address.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "must be host:port, for example 127.0.0.1:9080; was " + ReadContext.quote(address));
      }
      host = address.substring(0, colon);
      port = address.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "must put an IPv6 address in brackets, for example [::1]:9081; was "
                + ReadContext.quote(address));
      }
    }
    if (!port.matches("[0-9]{1,9}")) {
      throw new IllegalArgumentException(
          "must end with a port number from 1 to 65535; was " + ReadContext.quote(address));
    }
    return new HostPort(host, Integer.parseInt(port));
  }

  /** The address as the file writes it; the inverse of {@link #parse}. */
  static String format(String host, int port) {
    return host.indexOf(':') >= 0 || host.startsWith("[")
        ? "[" + host + "]:" + port
        : host + ":" + port;
  }
}
