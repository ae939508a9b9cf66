package dev.weft.mesh.http.adapter;

import dev.weft.mesh.core.spi.AttemptOutcome;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/** How an HTTP client's exception reads as the outcome of an attempt. */
public final class HttpFailures {
  private HttpFailures() {}

  /**
   * The outcome of an attempt that ended with {@code failure}, looking through its causes (clients
   * wrap): no connection ({@code ConnectException}, a connect timeout, an unknown host, a failed
   * TLS handshake) is a connect failure, which the engine may retry on another endpoint for any
   * method; a read or call timeout is a timeout; a cancellation is a cancellation; anything else
   * broke the exchange, a reset.
   */
  public static AttemptOutcome classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CancellationException) {
        return AttemptOutcome.CANCELLED;
      }
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || t instanceof HttpConnectTimeoutException
          || t instanceof SSLHandshakeException
          || isConnectTimeout(t)) {
        return AttemptOutcome.CONNECT_FAILURE;
      }
      if (t instanceof SocketTimeoutException
          || t instanceof HttpTimeoutException
          || t instanceof TimeoutException) {
        return AttemptOutcome.TIMEOUT;
      }
      if (t instanceof InterruptedIOException && "timeout".equals(t.getMessage())) {
        return AttemptOutcome.TIMEOUT; // OkHttp's call timeout
      }
      if (t instanceof InterruptedIOException && "Canceled".equalsIgnoreCase(t.getMessage())) {
        return AttemptOutcome.CANCELLED;
      }
    }
    return AttemptOutcome.RESET;
  }

  /** Clients' own connect-timeout types (Netty's, Apache's), known by name to need neither. */
  private static boolean isConnectTimeout(Throwable t) {
    String name = t.getClass().getSimpleName();
    return name.equals("ConnectTimeoutException");
  }
}
