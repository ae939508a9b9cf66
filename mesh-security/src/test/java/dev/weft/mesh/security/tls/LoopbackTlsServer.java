package dev.weft.mesh.security.tls;

import dev.weft.mesh.security.PeerIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An mTLS echo server on 127.0.0.1 that records, per connection, the caller's identity or the
 * handshake error, so tests can assert what the server saw.
 */
final class LoopbackTlsServer implements AutoCloseable {
  /** What the server saw on one connection. */
  record Outcome(Optional<PeerIdentity> peer, Exception error) {}

  private final SSLServerSocket socket;
  private final Thread thread;
  private final BlockingQueue<Outcome> outcomes = new ArrayBlockingQueue<>(100);

  LoopbackTlsServer(SSLContext context) throws IOException {
    socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    socket.setSSLParameters(TlsContexts.mutualTlsParameters(context));
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "loopback-tls-server");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  Outcome next() throws InterruptedException {
    Outcome o = outcomes.poll(10, TimeUnit.SECONDS);
    if (o == null) {
      throw new AssertionError("the server saw no connection");
    }
    return o;
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        s.setSoTimeout(5000);
        SSLSocket ssl = (SSLSocket) s;
        try {
          ssl.startHandshake();
          Optional<PeerIdentity> peer = PeerIdentity.from(ssl.getSession());
          OutputStream out = ssl.getOutputStream();
          out.write(
              ("hello " + peer.map(p -> p.spiffeId().toString()).orElse("anonymous") + "\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.flush();
          InputStream in = ssl.getInputStream();
          in.read();
          outcomes.add(new Outcome(peer, null));
        } catch (IOException e) {
          outcomes.add(new Outcome(Optional.empty(), e));
        }
      } catch (IOException e) {
        if (!socket.isClosed()) {
          outcomes.add(new Outcome(Optional.empty(), e));
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
