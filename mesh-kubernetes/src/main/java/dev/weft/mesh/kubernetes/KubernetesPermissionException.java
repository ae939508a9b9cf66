package dev.weft.mesh.kubernetes;

import java.util.List;

/**
 * The Kubernetes source's service account lacks permissions it needs: thrown from {@link
 * KubernetesConfigSource#start} after a {@code SelfSubjectAccessReview} for each verb, resource and
 * namespace it reads. The message names every missing permission and the Role rule that grants it.
 */
public final class KubernetesPermissionException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final List<String> missing;

  KubernetesPermissionException(List<String> missing, String message) {
    super(message);
    this.missing = List.copyOf(missing);
  }

  /** Each missing permission as {@code verb resource.group in namespace ns}. */
  public List<String> missing() {
    return missing;
  }
}
