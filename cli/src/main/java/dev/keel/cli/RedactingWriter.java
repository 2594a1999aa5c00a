package dev.keel.cli;

import dev.keel.event.support.Secrets;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes whole lines to {@code out} with secrets masked ({@link Secrets#redact}): the known
 * password values and anything shaped like one (URL passwords, {@code password=} settings). Text
 * after the last line feed (or carriage return) is held until the next one or {@link #close()}. Not
 * thread-safe.
 */
final class RedactingWriter extends Writer {
  private final Writer out;
  private final List<String> known;
  private final StringBuilder line = new StringBuilder();

  RedactingWriter(Writer out, List<String> known) {
    this.out = out;
    this.known = List.copyOf(known);
  }

  @Override
  public void write(char[] buf, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      char c = buf[i];
      line.append(c);
      if (c == '\n' || c == '\r') { // a carriage return ends a progress line redrawn in place
        emit();
      }
    }
  }

  private void emit() throws IOException {
    out.write(Secrets.redact(line.toString(), known));
    line.setLength(0);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (line.length() > 0) {
      emit();
    }
    out.flush();
  }
}
