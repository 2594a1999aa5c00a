package dev.keel.event.contract;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.util.regex.Pattern;

/**
 * One field of an event contract. Immutable.
 *
 * @param name the field name as it appears in the payload
 * @param type its JSON-level type
 * @param role what the field is for
 * @param required whether every event of this version carries it
 */
public record ContractField(String name, FieldType type, FieldRole role, boolean required) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,127}");

  /**
   * Validates the field.
   *
   * @throws KeelConfigurationException when the name is not a plain field name or a value is
   *     missing
   */
  public ContractField {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new KeelConfigurationException(
          "ContractField.name must match " + NAME.pattern() + ", was " + Values.quote(name));
    }
    if (type == null) {
      throw new KeelConfigurationException("ContractField.type of field " + name + " is required");
    }
    if (role == null) {
      throw new KeelConfigurationException("ContractField.role of field " + name + " is required");
    }
  }

  /** A required field. */
  public static ContractField required(String name, FieldType type, FieldRole role) {
    return new ContractField(name, type, role, true);
  }

  /** An optional field: the only kind a new contract version may add. */
  public static ContractField optional(String name, FieldType type, FieldRole role) {
    return new ContractField(name, type, role, false);
  }
}
