package dev.meshroll.smi;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
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
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * fabric8's Kubernetes mock API server on 127.0.0.1 in CRUD mode. Expectations ({@link #serves})
 * answer first, which is how discovery is faked; everything else is stored as an API server would.
 * Every request is recorded with the code it got, and {@link #answer} can step in for one.
 */
final class ApiServer implements AutoCloseable {
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

  private final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
  private final Recorder dispatcher = new Recorder(expectations);
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  ApiServer() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), expectations, dispatcher, false);
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

  /** The discovery endpoint of {@code group} lists {@code versions}, the first preferred. */
  void serves(String group, String... versions) {
    APIGroupBuilder answer = new APIGroupBuilder().withName(group);
    for (String version : versions) {
      answer
          .addNewVersion()
          .withGroupVersion(group + "/" + version)
          .withVersion(version)
          .endVersion();
    }
    answer
        .withNewPreferredVersion()
        .withGroupVersion(group + "/" + versions[0])
        .withVersion(versions[0])
        .endPreferredVersion();
    server.expect().get().withPath("/apis/" + group).andReturn(200, answer.build()).always();
  }

  void service(String namespace, String name) {
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  /** Stores {@code object} as it is, in the version its apiVersion names. */
  void create(Map<String, Object> object) {
    resource(object).create();
  }

  /** Replaces an object as another writer would, guarded by the resourceVersion it holds. */
  void update(Map<String, Object> object) {
    resource(object).update();
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

  /** The body the server sends for {@code path}, as it sends it. */
  String raw(String path) {
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

  /**
   * Lets {@code answer} reply to requests: where it returns a response, that is sent; where null,
   * the server answers as it would.
   */
  void answer(Function<RecordedRequest, MockResponse> answer) {
    dispatcher.answer = answer;
  }

  static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  List<Exchange> exchanges() {
    return List.copyOf(dispatcher.exchanges);
  }

  List<String> writes() {
    return exchanges().stream().filter(Exchange::write).map(Exchange::toString).toList();
  }

  void forget() {
    dispatcher.exchanges.clear();
  }

  int port() {
    return server.getPort();
  }

  /** A kubeconfig whose only context, {@code mock}, reaches this server. */
  String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "http://127.0.0.1:%d"}
        users:
        - name: tester
          user: {token: not-a-secret}
        contexts:
        - name: mock
          context: {cluster: mock, user: tester}
        current-context: mock
        """
        .formatted(port());
  }

  static String path(String apiVersion, String kind, String namespace, String name) {
    return "/apis/"
        + apiVersion
        + "/namespaces/"
        + namespace
        + "/"
        + kind.toLowerCase()
        + "s/"
        + name;
  }

  private Resource<GenericKubernetesResource> resource(Map<String, Object> object) {
    GenericKubernetesResource resource =
        client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
    return client
        .genericKubernetesResources(context(resource.getApiVersion(), resource.getKind()))
        .inNamespace(resource.getMetadata().getNamespace())
        .resource(resource);
  }

  private static ResourceDefinitionContext context(String apiVersion, String kind) {
    ObjectRef ref = new ObjectRef(apiVersion, kind, "", "");
    return new ResourceDefinitionContext.Builder()
        .withGroup(ref.group())
        .withVersion(ref.version())
        .withKind(kind)
        .withPlural(ref.plural())
        .withNamespaced(true)
        .build();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** Expectations, then the CRUD store; recording. The server may call it from several threads. */
  private static final class Recorder extends KubernetesMixedDispatcher {
    final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    volatile Function<RecordedRequest, MockResponse> answer = request -> null;

    Recorder(Map<ServerRequest, Queue<ServerResponse>> expectations) {
      super(expectations);
    }

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
