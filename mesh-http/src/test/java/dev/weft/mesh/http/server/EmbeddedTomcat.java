package dev.weft.mesh.http.server;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** An embedded Tomcat on a plaintext loopback port, with one application context, for tests. */
final class EmbeddedTomcat implements AutoCloseable {
  final Tomcat tomcat = new Tomcat();
  final Connector connector = new Connector();
  final Context context;

  EmbeddedTomcat(Path baseDir, String contextPath) {
    tomcat.setBaseDir(baseDir.toString());
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    context = tomcat.addContext(contextPath, null);
  }

  /** Maps {@code filter} to every path, for every dispatcher type. */
  EmbeddedTomcat filter(Filter filter) {
    FilterDef def = new FilterDef();
    def.setFilterName("mesh");
    def.setFilter(filter);
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("mesh");
    map.addURLPattern("/*");
    for (DispatcherType type : DispatcherType.values()) {
      map.setDispatcher(type.name());
    }
    context.addFilterMap(map);
    return this;
  }

  /** Starts it and returns its port. */
  int start() throws LifecycleException {
    tomcat.start();
    return connector.getLocalPort();
  }

  @Override
  public void close() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
  }
}
