package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.FailedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of {@link DeadLetterHeaders#RELEASE}: which release sent a record, and where the record
 * stood in its key's order (a dead letter's id, or a parked record's id). Inbound values are
 * untrusted: anything but one well-formed header reads as no mark.
 *
 * @param token the release token of the key
 * @param deadLetter whether {@code id} is a dead letter's id (else a parked record's)
 * @param id the id (a parked record's id is negative when it was parked again ahead of the key's
 *     other parked records)
 */
record ReleaseMark(String token, boolean deadLetter, long id) {
  private static final Pattern VALUE =
      Pattern.compile(
          "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([dp])(-?[0-9]{1,19})");

  /** The mark a record carries, or null when it carries none or a malformed one. */
  static ReleaseMark of(FailedRecord record) {
    String v = record.singleHeader(DeadLetterHeaders.RELEASE);
    if (v == null || v.length() > 64) {
      return null;
    }
    Matcher m = VALUE.matcher(v);
    if (!m.matches()) {
      return null;
    }
    try {
      return new ReleaseMark(m.group(1), m.group(2).equals("d"), Long.parseLong(m.group(3)));
    } catch (NumberFormatException e) {
      return null; // out of range
    }
  }

  /** The headers with this mark instead of any mark they had. */
  List<FailedRecord.Header> on(List<FailedRecord.Header> headers) {
    List<FailedRecord.Header> out = new ArrayList<>(headers.size() + 1);
    for (FailedRecord.Header h : headers) {
      if (!h.name().equals(DeadLetterHeaders.RELEASE)) {
        out.add(h);
      }
    }
    out.add(FailedRecord.Header.of(DeadLetterHeaders.RELEASE, toString()));
    return out;
  }

  @Override
  public String toString() {
    return token + ":" + (deadLetter ? "d" : "p") + id;
  }
}
