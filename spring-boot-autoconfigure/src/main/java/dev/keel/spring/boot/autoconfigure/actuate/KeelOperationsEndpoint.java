package dev.keel.spring.boot.autoconfigure.actuate;

import dev.keel.event.NonRetriableKeelException;
import dev.keel.spring.boot.autoconfigure.actuate.internal.KeelSection;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code keel} endpoint with operations that change state, present only when {@code
 * keel.actuator.operations.enabled=true}: {@code POST keel/<kind>/<id>/<action>}, with an optional
 * JSON body {@code {"reason": "..."}}.
 *
 * <ul>
 *   <li>{@code dead-letter/<id>/replay}, {@code dead-letter/<id>/discard};
 *   <li>{@code saga/<id>/retry-compensation}, {@code saga/<id>/resolve} (a reason required);
 *   <li>{@code outbox-event/<id>/retry}, {@code outbox-event/<id>/discard} (a quarantined row);
 *   <li>{@code outbox-lane/<lane>/resume}.
 * </ul>
 *
 * <p>Every operation runs under the authenticated principal of the request (with Spring Security,
 * the authenticated user) and is written to the module's audit table with the principal's name as
 * actor; a request without a principal is refused (400) and changes nothing. Secure the endpoint
 * (Spring Security, {@code management.endpoint.keel.access}) so that only operators reach it.
 */
@Endpoint(id = "keel")
public class KeelOperationsEndpoint extends KeelEndpoint {
  private static final Logger log = LoggerFactory.getLogger(KeelOperationsEndpoint.class);

  /**
   * The endpoint.
   *
   * @param sections what each Keel module shows and does
   * @param listLimit the most entries of each list
   */
  public KeelOperationsEndpoint(List<KeelSection> sections, int listLimit) {
    super(sections, listLimit);
  }

  /**
   * Runs an operation as the request's principal.
   *
   * @param kind {@code dead-letter}, {@code saga}, {@code outbox-event} or {@code outbox-lane}
   * @param id the item's id
   * @param action what to do
   * @param reason why (required to resolve a saga)
   * @param securityContext the request's security context; its principal is the audited actor
   * @return what was done
   */
  @WriteOperation
  public Map<String, Object> operate(
      @Selector String kind,
      @Selector String id,
      @Selector String action,
      @Nullable String reason,
      SecurityContext securityContext) {
    String actor = actor(securityContext);
    KeelSection section = section(kind);
    try {
      Map<String, Object> result = section.operate(kind, id, action, actor, reason);
      log.info("keel endpoint: {} {} {} by {}", action, kind, id, actor);
      return result;
    } catch (IllegalArgumentException | NonRetriableKeelException e) {
      log.info(
          "keel endpoint: {} {} {} by {} refused: {}", action, kind, id, actor, e.getMessage());
      throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage(), e);
    }
  }

  private static String actor(SecurityContext securityContext) {
    Principal principal = securityContext == null ? null : securityContext.getPrincipal();
    String name = principal == null ? null : principal.getName();
    if (name == null || name.isBlank()) {
      String message =
          "refused: Keel's operations are audited under the caller's name and this request has no"
              + " authenticated principal";
      throw new InvalidEndpointRequestException(message, message);
    }
    return name;
  }

  @Override
  boolean operationsEnabled() {
    return true;
  }
}
