package dev.weft.mesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the API server, with one {@code SelfSubjectAccessReview} per verb, resource and namespace,
 * whether the source may do what it needs, and lists what it may not.
 */
public final class RbacCheck {
  /** A resource the source reads, with the verbs it needs. */
  public record Need(String group, String resource, List<String> verbs) {
    /** {@code resource.group}, or just {@code resource} for the core group. */
    public String qualified() {
      return group.isEmpty() ? resource : resource + "." + group;
    }
  }

  /** One permission the API server denied. */
  public record Denied(String verb, Need need, String namespace, String reason) {
    @Override
    public String toString() {
      return verb
          + " "
          + need.qualified()
          + " in namespace "
          + namespace
          + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")");
    }
  }

  private RbacCheck() {}

  public static List<Denied> check(
      KubernetesClient client, List<String> namespaces, List<Need> needs) {
    List<Denied> denied = new ArrayList<>();
    for (String ns : namespaces) {
      for (Need need : needs) {
        for (String verb : need.verbs()) {
          SelfSubjectAccessReview review =
              new SelfSubjectAccessReviewBuilder()
                  .withNewSpec()
                  .withNewResourceAttributes()
                  .withNamespace(ns)
                  .withVerb(verb)
                  .withGroup(need.group())
                  .withResource(need.resource())
                  .endResourceAttributes()
                  .endSpec()
                  .build();
          SelfSubjectAccessReview answer =
              client.authorization().v1().selfSubjectAccessReview().create(review);
          boolean allowed =
              answer != null
                  && answer.getStatus() != null
                  && Boolean.TRUE.equals(answer.getStatus().getAllowed());
          if (!allowed) {
            String reason =
                answer == null || answer.getStatus() == null ? "" : answer.getStatus().getReason();
            denied.add(new Denied(verb, need, ns, reason));
          }
        }
      }
    }
    return denied;
  }

  /** The message for a failed check: every denial, and the Role rules that would grant them. */
  public static String message(List<Denied> denied) {
    StringBuilder sb = new StringBuilder("the Kubernetes source lacks permissions: ");
    for (int i = 0; i < denied.size(); i++) {
      if (i > 0) {
        sb.append("; ");
      }
      sb.append("cannot ").append(denied.get(i));
    }
    sb.append(". Grant them with a Role and RoleBinding in each namespace, for example rules ");
    List<String> seen = new ArrayList<>();
    for (Denied d : denied) {
      String rule =
          "{apiGroups: [\""
              + d.need().group()
              + "\"], resources: [\""
              + d.need().resource()
              + "\"], verbs: [\"get\", \"list\", \"watch\"]}";
      if (!seen.contains(rule)) {
        seen.add(rule);
      }
    }
    sb.append(String.join(", ", seen)).append(" (docs/kubernetes.md has the whole manifest)");
    return sb.toString();
  }
}
