package dev.weft.mesh.http.httpclient5;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.testkit.HttpClientAdapterContract;
import java.util.Map;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/** The classic Apache HttpClient 5 with {@link MeshExecChainHandler} passes the contract. */
class MeshExecChainHandlerTest extends HttpClientAdapterContract {

  @Override
  protected Client connect(Mesh mesh) {
    CloseableHttpClient http = MeshHttpClient5.install(HttpClients.custom(), mesh).build();
    return new Client() {
      @Override
      public Reply send(String method, String url, String body, Map<String, String> headers)
          throws Exception {
        ClassicRequestBuilder b = ClassicRequestBuilder.create(method).setUri(url);
        headers.forEach(b::setHeader);
        if (body != null) {
          b.setEntity(
              new StringEntity(
                  body, ContentType.parse(headers.getOrDefault("content-type", "text/plain"))));
        }
        return http.execute(
            b.build(), r -> new Reply(r.getCode(), EntityUtils.toString(r.getEntity())));
      }

      @Override
      public void close() throws Exception {
        http.close();
      }
    };
  }
}
