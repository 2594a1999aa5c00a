package dev.keel.test.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of a server, that can be paused: while paused it accepts no
 * connection and reads and writes no byte in either direction, but keeps every connection open, as
 * a stopped process (a long GC pause, {@code SIGSTOP}) would look to its clients: connects complete
 * in the kernel's backlog, requests are sent into socket buffers and never answered. {@link
 * #resume()} forwards again whatever is waiting.
 *
 * <p>When the server is down, a new connection is reset as the server's own port would refuse it;
 * when the server closes a connection, the forwarder closes the other side.
 */
final class PausableForwarder implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private boolean paused;
  private volatile boolean running = true;

  /** Binds a free loopback port now; forwards to {@code targetPort} once {@link #start()}ed. */
  PausableForwarder(int targetPort) {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    try {
      this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("No free loopback port for the forwarder", e);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  void start() {
    Thread acceptor = new Thread(this::accept, "keel-kafka-forwarder-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Stops forwarding: no byte read, none written, no connection accepted, none closed. */
  void pause() {
    synchronized (gate) {
      paused = true;
    }
  }

  /** Forwards again. */
  void resume() {
    synchronized (gate) {
      paused = false;
      gate.notifyAll();
    }
  }

  boolean paused() {
    synchronized (gate) {
      return paused;
    }
  }

  private void awaitOpenGate() throws InterruptedException {
    synchronized (gate) {
      while (paused && running) {
        gate.wait();
      }
    }
  }

  private void accept() {
    while (running) {
      try {
        awaitOpenGate(); // while paused, connects wait in the backlog
        Socket client = server.accept();
        awaitOpenGate();
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 5_000);
        } catch (IOException e) {
          abort(client); // the server is down: the client sees its connection refused
          continue;
        }
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (!running) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                  awaitOpenGate();
                  int n = in.read(buffer);
                  if (n < 0) {
                    break;
                  }
                  awaitOpenGate(); // bytes read just before a pause are held, not forwarded
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side is gone: both are closed below
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                abort(from);
                abort(to);
              }
            },
            "keel-kafka-forwarder-pump");
    t.setDaemon(true);
    t.start();
  }

  private void abort(Socket s) {
    open.remove(s);
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    running = false;
    resume();
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      abort(s);
    }
  }
}
