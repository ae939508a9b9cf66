package dev.weft.mesh.xds.internal.client;

/**
 * Told about one subscribed resource. Called serially on the client's work thread; must not block.
 *
 * @param <T> the parsed value
 */
public interface ResourceWatcher<T> {

  /**
   * The resource has a new accepted value (also called with a cached value when watching begins).
   */
  void onChanged(String name, T value);

  /**
   * The resource does not exist: the server said so (it is missing from a state-of-the-world
   * response of a type that carries all resources) or it did not send it before the does-not-exist
   * timer ran out. Stop using the old value.
   */
  void onDoesNotExist(String name);

  /**
   * A transient problem (the stream to the server broke, or an update for the resource was
   * rejected): keep using the value in hand.
   */
  void onTransientError(String name, String error);
}
