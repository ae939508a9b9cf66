package dev.weft.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against a loopback echo server: passes, stalls, resets and goes down as told. */
class FaultProxyTest {
  private ServerSocket echo;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private FaultProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(
        () -> {
          while (!echo.isClosed()) {
            try {
              Socket s = echo.accept();
              pool.execute(
                  () -> {
                    try (s) {
                      s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                      // the test ended the connection
                    }
                  });
            } catch (IOException e) {
              return;
            }
          }
        });
    proxy = new FaultProxy(echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
    pool.shutdownNow();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(2000);
    return s;
  }

  private static int roundTrip(Socket s, int b) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(b);
    out.flush();
    InputStream in = s.getInputStream();
    return in.read();
  }

  @Test
  void passesBytesBothWays() throws IOException {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 7)).isEqualTo(7);
    }
  }

  @Test
  void aStallHoldsTheBytesUntilItEnds() throws IOException {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 1)).isEqualTo(1);
      proxy.mode(FaultProxy.Mode.STALL);
      s.setSoTimeout(300);
      assertThatThrownBy(() -> roundTrip(s, 2)).isInstanceOf(SocketTimeoutException.class);
      proxy.mode(FaultProxy.Mode.PASS);
      s.setSoTimeout(2000);
      assertThat(s.getInputStream().read()).isEqualTo(2);
    }
  }

  @Test
  void resetEndsOpenConnectionsWithAnRst() throws IOException {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 1)).isEqualTo(1);
      proxy.mode(FaultProxy.Mode.RESET);
      assertThatThrownBy(() -> roundTrip(s, 2)).isInstanceOf(SocketException.class);
    }
    assertThat(proxy.connections()).isZero();
  }

  @Test
  void downRefusesConnectionsAndUpTakesThemAgainOnTheSamePort() throws IOException {
    int port = proxy.port();
    proxy.mode(FaultProxy.Mode.DOWN);
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
    proxy.mode(FaultProxy.Mode.PASS);
    try (Socket s = connect()) {
      assertThat(s.getPort()).isEqualTo(port);
      assertThat(roundTrip(s, 9)).isEqualTo(9);
    }
  }
}
