package dev.weft.mesh.http.httpclient5;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.testkit.HttpClientAdapterContract;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;

/** The async Apache HttpClient 5 with {@link MeshAsyncExecChainHandler} passes the contract. */
class MeshAsyncExecChainHandlerTest extends HttpClientAdapterContract {

  @Override
  protected Client connect(Mesh mesh) {
    CloseableHttpAsyncClient http =
        MeshHttpClient5.install(HttpAsyncClients.custom(), mesh).build();
    http.start();
    return new Client() {
      @Override
      public Reply send(String method, String url, String body, Map<String, String> headers)
          throws Exception {
        SimpleRequestBuilder b = SimpleRequestBuilder.create(method).setUri(url);
        headers.forEach(b::setHeader);
        if (body != null) {
          b.setBody(body, ContentType.parse(headers.getOrDefault("content-type", "text/plain")));
        }
        try {
          SimpleHttpResponse r = http.execute(b.build(), null).get(30, TimeUnit.SECONDS);
          return new Reply(r.getCode(), r.getBodyText());
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }

      @Override
      public void close() {
        http.close(CloseMode.GRACEFUL);
      }
    };
  }
}
