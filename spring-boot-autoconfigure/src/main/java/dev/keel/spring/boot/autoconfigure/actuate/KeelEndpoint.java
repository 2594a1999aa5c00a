package dev.keel.spring.boot.autoconfigure.actuate;

import dev.keel.spring.boot.autoconfigure.actuate.internal.KeelSection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code keel} endpoint, read only: the outbox (rows waiting, the oldest one's age, stopped
 * lanes, quarantined rows), the dead letters waiting, and the sagas failed in compensation or
 * stuck, as far as the application has those modules. {@code GET keel} shows the summary, {@code
 * GET keel/dead-letter/<id>} one dead letter (without its payload), {@code GET keel/saga/<id>} one
 * saga with its step log and audit trail.
 *
 * <p>With {@code keel.actuator.operations.enabled=true} the endpoint is a {@link
 * KeelOperationsEndpoint} instead, which adds the operations that change state.
 */
@Endpoint(id = "keel")
public class KeelEndpoint {
  private final List<KeelSection> sections;
  private final int listLimit;

  /**
   * The endpoint.
   *
   * @param sections what each Keel module shows
   * @param listLimit the most entries of each list
   */
  public KeelEndpoint(List<KeelSection> sections, int listLimit) {
    this.sections = List.copyOf(sections);
    this.listLimit = listLimit;
  }

  /**
   * Keel's state: one entry per module present, and whether operations are enabled.
   *
   * @return the summary
   */
  @ReadOperation
  public Map<String, Object> keel() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeelSection s : sections) {
      out.put(s.name(), s.summary(listLimit));
    }
    out.put("operationsEnabled", operationsEnabled());
    return out;
  }

  /**
   * One item: {@code dead-letter/<id>}, {@code saga/<id>}, {@code outbox-event/<id>} (a quarantined
   * row).
   *
   * @param kind the kind of item
   * @param id its id
   * @return the item, or null (404) when there is none
   */
  @ReadOperation
  public @Nullable Map<String, Object> item(@Selector String kind, @Selector String id) {
    KeelSection section = section(kind);
    try {
      Optional<Map<String, Object>> item = section.detail(kind, id);
      return item.orElse(null);
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
    }
  }

  /** Whether this endpoint has the operations that change state. */
  boolean operationsEnabled() {
    return false;
  }

  /** The section of a kind; a 400 when no module present shows it. */
  KeelSection section(String kind) {
    for (KeelSection s : sections) {
      if (s.kinds().contains(kind)) {
        return s;
      }
    }
    List<String> known = sections.stream().flatMap(s -> s.kinds().stream()).sorted().toList();
    String message = "unknown kind '" + kind + "'; known here: " + known;
    throw new InvalidEndpointRequestException(message, message);
  }
}
