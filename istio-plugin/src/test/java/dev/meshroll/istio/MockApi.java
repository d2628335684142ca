package dev.meshroll.istio;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * fabric8's Kubernetes mock API server in CRUD mode on 127.0.0.1, recording every request with the
 * code it was answered with, and able to answer a request in its own way ({@link #intercept}).
 */
final class MockApi implements AutoCloseable {
  /** One request as the server saw it: {@code PUT /apis/... -> 409}. */
  record Exchange(String method, String path, int code) {
    boolean write() {
      return !method.equals("GET");
    }

    @Override
    public String toString() {
      return method + " " + path + " -> " + code;
    }
  }

  private final Recorder dispatcher = new Recorder();
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  MockApi() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client = server.createClient();
  }

  KubernetesClient client() {
    return client;
  }

  int port() {
    return server.getPort();
  }

  List<Exchange> exchanges() {
    return List.copyOf(dispatcher.exchanges);
  }

  List<Exchange> writes() {
    return exchanges().stream().filter(Exchange::write).toList();
  }

  void forget() {
    dispatcher.exchanges.clear();
  }

  /**
   * Answers requests with {@code answer} while it returns a response; when it returns null, the
   * CRUD store answers.
   */
  void intercept(Function<RecordedRequest, MockResponse> answer) {
    dispatcher.answer = answer;
  }

  static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  /** Stores {@code object} as it is, in the version its apiVersion names. */
  void create(Map<String, Object> object) {
    resource(object).create();
  }

  /** Replaces an object as another writer would, guarded by the resourceVersion it holds. */
  void update(Map<String, Object> object) {
    resource(object).update();
  }

  private Resource<GenericKubernetesResource> resource(Map<String, Object> object) {
    GenericKubernetesResource resource =
        client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
    return client
        .genericKubernetesResources(context(resource.getApiVersion(), resource.getKind()))
        .inNamespace(resource.getMetadata().getNamespace())
        .resource(resource);
  }

  /** An object as the API server holds it, or null. */
  @SuppressWarnings("unchecked")
  Map<String, Object> get(String apiVersion, String kind, String namespace, String name) {
    GenericKubernetesResource resource =
        client
            .genericKubernetesResources(context(apiVersion, kind))
            .inNamespace(namespace)
            .withName(name)
            .get();
    return resource == null
        ? null
        : client.getKubernetesSerialization().convertValue(resource, Map.class);
  }

  /** The object's JSON exactly as the server sends it. */
  String raw(String apiVersion, String kind, String namespace, String name) {
    String path = path(apiVersion, kind, namespace, name);
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String path(String apiVersion, String kind, String namespace, String name) {
    return "/apis/"
        + apiVersion
        + "/namespaces/"
        + namespace
        + "/"
        + kind.toLowerCase(Locale.ROOT)
        + "s/"
        + name;
  }

  private static ResourceDefinitionContext context(String apiVersion, String kind) {
    String[] groupVersion = apiVersion.split("/");
    return new ResourceDefinitionContext.Builder()
        .withGroup(groupVersion[0])
        .withVersion(groupVersion[1])
        .withKind(kind)
        .withPlural(kind.toLowerCase(Locale.ROOT) + "s")
        .withNamespaced(true)
        .build();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** The CRUD dispatcher, recording; the server may call it from several threads. */
  private static final class Recorder extends KubernetesCrudDispatcher {
    final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    volatile Function<RecordedRequest, MockResponse> answer = request -> null;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse response = answer.apply(request);
      if (response == null) {
        response = super.dispatch(request);
      }
      exchanges.add(new Exchange(request.getMethod(), request.getPath(), response.code()));
      return response;
    }
  }
}
