package dev.keel.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between the components and a server, to cut their connections: {@link
 * #resetAll()} aborts every open connection with a TCP reset, as a failing network or a firewall
 * timing out idle connections would. New connections are accepted again right away.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger resets = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean running = true;

  TcpProxy(String host, int port) throws IOException {
    this.target = new InetSocketAddress(host, port);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "tcp-proxy-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (running) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 5_000);
        } catch (IOException e) {
          abort(client); // the server is down: the client sees its connection refused
          continue;
        }
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (running) {
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side is gone: the other is closed below
              } finally {
                abort(from);
                abort(to);
              }
            },
            "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Aborts every open connection with a reset; returns how many connections were cut. */
  int resetAll() {
    int n = 0;
    for (Socket s : open) {
      abort(s);
      n++;
    }
    resets.addAndGet(n / 2);
    return n / 2;
  }

  /** Connections cut by {@link #resetAll()} so far. */
  int resets() {
    return resets.get();
  }

  private void abort(Socket s) {
    open.remove(s);
    try {
      s.setSoLinger(true, 0); // close() now sends RST instead of FIN
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    server.close();
    resetAll();
  }
}
