package dev.weft.mesh.xds;

import static dev.weft.mesh.xds.RbacNormalForms.unsupported;
import static dev.weft.mesh.xds.RbacTranslator.MAX_RULES;

import dev.weft.mesh.xds.RbacTranslator.Literal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The algebra of the RBAC normal form: negation, disjunction and conjunction of disjunctions of
 * conjunctions of {@link Literal} tests, refused when the result grows past {@link
 * RbacTranslator#MAX_RULES} rules.
 */
final class NormalFormAlgebra {
  // A DNF: a list of conjunctions; [] is false, [[]] is true.
  static final List<List<Literal>> TRUE = List.of(List.of());
  static final List<List<Literal>> FALSE = List.of();

  private NormalFormAlgebra() {}

  static List<List<Literal>> maybeNegate(List<List<Literal>> dnf, boolean negated, String f) {
    if (!negated) {
      return dnf;
    }
    // not (c1 or c2 ...) = (not c1) and (not c2) ...; not (l1 and l2) = (not l1) or (not l2).
    List<List<Literal>> acc = TRUE;
    for (List<Literal> conjunction : dnf) {
      List<List<Literal>> alternatives = new ArrayList<>();
      for (Literal l : conjunction) {
        alternatives.add(List.of(l.negate()));
      }
      acc = and(acc, alternatives, f);
    }
    return acc;
  }

  static List<List<Literal>> or(List<List<Literal>> a, List<List<Literal>> b, String f) {
    List<List<Literal>> out = new ArrayList<>(a);
    for (List<Literal> c : b) {
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    checkSize(out.size(), f);
    return out;
  }

  static List<List<Literal>> and(List<List<Literal>> a, List<List<Literal>> b, String f) {
    checkSize((long) a.size() * b.size(), f);
    List<List<Literal>> out = new ArrayList<>();
    for (List<Literal> x : a) {
      for (List<Literal> y : b) {
        Set<Literal> merged = new LinkedHashSet<>(x);
        merged.addAll(y);
        if (contradicts(merged)) {
          continue;
        }
        List<Literal> c = List.copyOf(merged);
        if (!out.contains(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  static boolean contradicts(Set<Literal> conjunction) {
    for (Literal l : conjunction) {
      if (!l.negated() && conjunction.contains(l.negate())) {
        return true;
      }
    }
    return false;
  }

  static void checkSize(long size, String f) {
    if (size > MAX_RULES) {
      throw unsupported(f, "the policy multiplies out to more than %d rules", MAX_RULES);
    }
  }
}
