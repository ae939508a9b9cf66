package dev.weft.mesh.http.okhttp;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.testkit.HttpClientAdapterContract;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** OkHttp with {@link MeshInterceptor} passes the HTTP adapter contract. */
class MeshInterceptorTest extends HttpClientAdapterContract {

  @Override
  protected Client connect(Mesh mesh) {
    OkHttpClient ok =
        new OkHttpClient.Builder()
            .addInterceptor(MeshInterceptor.create(mesh))
            .readTimeout(30, TimeUnit.SECONDS)
            .build();
    return new Client() {
      @Override
      public Reply send(String method, String url, String body, Map<String, String> headers)
          throws Exception {
        Request.Builder b =
            new Request.Builder()
                .url(url)
                .method(
                    method,
                    body == null
                        ? null
                        : RequestBody.create(
                            body,
                            MediaType.get(headers.getOrDefault("content-type", "text/plain"))));
        headers.forEach(b::header);
        try (Response r = ok.newCall(b.build()).execute()) {
          return new Reply(r.code(), r.body().string());
        }
      }

      @Override
      public void close() {
        ok.dispatcher().executorService().shutdown();
        ok.connectionPool().evictAll();
      }
    };
  }
}
