package dev.weft.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of one backend, injecting transport faults the backend cannot:
 * {@link Mode#STALL} (accepts connections and forwards nothing, either way), {@link Mode#RESET}
 * (every connection is reset with a TCP RST, at once and then twice a second) and {@link Mode#DOWN}
 * (the port is closed, every connection reset: what a killed process looks like). Bytes pass
 * through untouched, so TLS is end to end between the mesh and the backend.
 */
final class FaultProxy implements AutoCloseable {
  enum Mode {
    PASS,
    STALL,
    RESET,
    DOWN
  }

  private final int backendPort;
  private final int port;
  private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
  private final Object modeLock = new Object();
  private volatile Mode mode = Mode.PASS;
  private volatile ServerSocket listener;
  private volatile boolean closed;
  private final Thread resetter;

  FaultProxy(int backendPort) throws IOException {
    this.backendPort = backendPort;
    ServerSocket s = open(0);
    this.port = s.getLocalPort();
    listen(s);
    resetter =
        new Thread(
            () -> {
              while (!closed) {
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                }
                if (mode == Mode.RESET) {
                  resetAll();
                }
              }
            },
            "chaos-proxy-resetter-" + port);
    resetter.setDaemon(true);
    resetter.start();
  }

  int port() {
    return port;
  }

  Mode mode() {
    return mode;
  }

  /** Open connections (client side). */
  int connections() {
    return pairs.size();
  }

  void mode(Mode next) throws IOException {
    synchronized (modeLock) {
      Mode previous = mode;
      if (previous == next) {
        return;
      }
      mode = next;
      if (next == Mode.DOWN) {
        ServerSocket s = listener;
        listener = null;
        if (s != null) {
          s.close();
        }
        resetAll();
      } else if (previous == Mode.DOWN) {
        listen(open(port));
      }
      if (next == Mode.RESET) {
        resetAll();
      }
      modeLock.notifyAll();
    }
  }

  private static ServerSocket open(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
    return s;
  }

  private void listen(ServerSocket s) {
    listener = s;
    Thread t = new Thread(() -> accept(s), "chaos-proxy-accept-" + s.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        client.setTcpNoDelay(true);
        if (mode == Mode.RESET) {
          reset(client);
          continue;
        }
        Socket upstream = new Socket();
        upstream.setTcpNoDelay(true);
        try {
          upstream.connect(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), 1000);
        } catch (IOException e) {
          reset(client);
          upstream.close();
          continue;
        }
        Pair p = new Pair(client, upstream);
        pairs.add(p);
        p.start();
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void resetAll() {
    for (Pair p : pairs) {
      p.reset();
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0); // close sends RST
    } catch (SocketException e) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** Waits while the proxy stalls; false when the connection should end. */
  private boolean awaitForwarding(Pair p) {
    synchronized (modeLock) {
      while (mode == Mode.STALL && !p.done && !closed) {
        try {
          modeLock.wait(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !p.done && !closed;
  }

  private final class Pair {
    final Socket client;
    final Socket upstream;
    volatile boolean done;

    Pair(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() {
      Thread up = new Thread(() -> pump(client, upstream), "chaos-proxy-up-" + port);
      Thread down = new Thread(() -> pump(upstream, client), "chaos-proxy-down-" + port);
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }

    private void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (!awaitForwarding(this)) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // reset or closed: end both sides
      }
      end();
    }

    void end() {
      done = true;
      pairs.remove(this);
      closeQuietly(client);
      closeQuietly(upstream);
    }

    void reset() {
      done = true;
      pairs.remove(this);
      FaultProxy.reset(client);
      FaultProxy.reset(upstream);
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    resetter.interrupt();
    ServerSocket s = listener;
    if (s != null) {
      s.close();
    }
    for (Pair p : pairs) {
      p.end();
    }
    synchronized (modeLock) {
      modeLock.notifyAll();
    }
  }
}
