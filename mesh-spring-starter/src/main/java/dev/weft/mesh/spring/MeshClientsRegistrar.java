package dev.weft.mesh.spring;

import dev.weft.mesh.api.client.MeshClient;
import dev.weft.mesh.http.MeshHttpClient;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.Environment;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Finds {@code @MeshClient} interfaces in the packages named by {@link EnableMeshClients} and by
 * {@code weft.mesh.clients.base-packages}, and registers each as a bean made by {@link
 * MeshHttpClient#client(Class)}. A bean of the same type defined by the user wins.
 */
public class MeshClientsRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {
  private Environment environment;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry)
      throws BeansException {
    Set<String> packages =
        new LinkedHashSet<>(
            Binder.get(environment)
                .bind("weft.mesh.clients.base-packages", Bindable.listOf(String.class))
                .orElse(List.of()));
    if (registry instanceof ConfigurableListableBeanFactory beanFactory) {
      for (String name : beanFactory.getBeanNamesForAnnotation(EnableMeshClients.class)) {
        collect(beanFactory, name, packages);
      }
    } else {
      for (String name : registry.getBeanDefinitionNames()) {
        BeanDefinition def = registry.getBeanDefinition(name);
        if (def instanceof AnnotatedBeanDefinition annotated
            && annotated.getMetadata().hasAnnotation(EnableMeshClients.class.getName())) {
          packagesOf(annotated, packages);
        }
      }
    }
    if (packages.isEmpty()) {
      return;
    }
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false, environment) {
          @Override
          protected boolean isCandidateComponent(AnnotatedBeanDefinition beanDefinition) {
            return beanDefinition.getMetadata().isInterface()
                && beanDefinition.getMetadata().isIndependent();
          }
        };
    scanner.addIncludeFilter(new AnnotationTypeFilter(MeshClient.class));
    for (String pkg : packages) {
      for (BeanDefinition candidate : scanner.findCandidateComponents(pkg)) {
        register(registry, candidate.getBeanClassName());
      }
    }
  }

  private void collect(
      ConfigurableListableBeanFactory beanFactory, String beanName, Set<String> packages) {
    BeanDefinition def = beanFactory.getBeanDefinition(beanName);
    if (def instanceof AnnotatedBeanDefinition annotated) {
      packagesOf(annotated, packages);
    }
  }

  private static void packagesOf(AnnotatedBeanDefinition def, Set<String> packages) {
    Map<String, Object> attributes =
        def.getMetadata().getAnnotationAttributes(EnableMeshClients.class.getName());
    if (attributes == null) {
      return;
    }
    String[] named = (String[]) attributes.get("basePackages");
    Class<?>[] classes = (Class<?>[]) attributes.get("basePackageClasses");
    for (String p : named) {
      packages.add(p);
    }
    for (Class<?> c : classes) {
      packages.add(c.getPackageName());
    }
    if (named.length == 0 && classes.length == 0) {
      packages.add(ClassUtils.getPackageName(def.getMetadata().getClassName()));
    }
  }

  private static void register(BeanDefinitionRegistry registry, String className) {
    Class<?> type;
    try {
      type = ClassUtils.forName(className, MeshClientsRegistrar.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("cannot load the @MeshClient interface " + className, e);
    }
    String beanName = ClassUtils.getShortNameAsProperty(type);
    if (registry.containsBeanDefinition(beanName)) {
      return;
    }
    RootBeanDefinition def = new RootBeanDefinition(type);
    def.setInstanceSupplier(new ClientSupplier<>(registry, type));
    registry.registerBeanDefinition(beanName, def);
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    // Nothing to do: definitions were registered above.
  }

  /** Makes the client from the context's {@link MeshHttpClient} when the bean is first needed. */
  private static final class ClientSupplier<T> implements java.util.function.Supplier<T> {
    private final BeanDefinitionRegistry registry;
    private final Class<T> type;

    ClientSupplier(BeanDefinitionRegistry registry, Class<T> type) {
      this.registry = registry;
      this.type = type;
    }

    @Override
    public T get() {
      if (!(registry instanceof ConfigurableListableBeanFactory beanFactory)) {
        throw new IllegalStateException(
            "cannot reach the MeshHttpClient bean to make " + type.getName());
      }
      return beanFactory.getBean(MeshHttpClient.class).client(type);
    }
  }
}
