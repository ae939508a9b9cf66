package dev.weft.mesh.http.okhttp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** Applies a cluster's SSL parameters (its SNI) to every socket of the workload's factory. */
final class ParameterizedSocketFactory extends SSLSocketFactory {
  private final SSLSocketFactory delegate;
  private final SSLParameters parameters;

  ParameterizedSocketFactory(SSLSocketFactory delegate, SSLParameters parameters) {
    this.delegate = delegate;
    this.parameters = parameters;
  }

  private Socket configure(Socket socket) {
    List<SNIServerName> names = parameters.getServerNames();
    if (socket instanceof SSLSocket ssl && names != null && !names.isEmpty()) {
      SSLParameters p = ssl.getSSLParameters();
      p.setServerNames(names);
      ssl.setSSLParameters(p);
    }
    return socket;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return configure(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket() throws IOException {
    return configure(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return configure(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return configure(delegate.createSocket(address, port, localAddress, localPort));
  }
}
