package searchapp.solr;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A SolrCloud for development and tests: an embedded ZooKeeper and N Solr nodes (Jetty, plain
 * HTTP on 127.0.0.1), from solr-test-framework's MiniSolrCloudCluster, the same node code as a
 * production Solr.
 *
 * <pre>
 * java -cp target/classes:target/dependency/* searchapp.solr.DevCluster \
 *      [--nodes 2] [--dir DIR] [--config NAME=CONFDIR]...
 * </pre>
 *
 * When ready it prints one JSON line on stdout:
 * {"zk": "127.0.0.1:PORT", "nodes": ["http://127.0.0.1:P1/solr", ...], "up": [true, ...]}.
 * Then it reads commands on stdin, one a line: "stop N" and "start N" (node index, for fault
 * tests; each answers with the same JSON line once the node has left or rejoined the cluster,
 * or {"error": "..."}), and "quit". The end of stdin shuts the cluster down too, so a parent that
 * dies never leaves a JVM behind. A stopped node comes back on its own port, so its URL holds.
 */
public final class DevCluster {
  private static final int WAIT_SECONDS = 60;

  private final MiniSolrCloudCluster cluster;
  private final List<JettySolrRunner> nodes;
  private final PrintStream out;

  private DevCluster(MiniSolrCloudCluster cluster, PrintStream out) {
    this.cluster = cluster;
    // Our own list: the cluster's list changes as nodes stop, our indices must not.
    this.nodes = new ArrayList<>(cluster.getJettySolrRunners());
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    // stdout is the protocol: anything else that prints there (a library) goes to stderr.
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Options options = Options.parse(args);
    DevCluster dev = new DevCluster(options.start(), out);
    AtomicBoolean down = new AtomicBoolean();
    // A TERM or INT signal shuts the nodes down cleanly as well.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> dev.shutdown(down)));
    dev.report();
    dev.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    dev.shutdown(down);
    System.exit(0);
  }

  private void serve(BufferedReader in) throws Exception {
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words[0].equals("quit")) {
        return;
      }
      try {
        command(words);
        report();
      } catch (Exception e) {
        out.println("{\"error\": " + quote(words[0] + ": " + e) + "}");
      }
    }
  }

  private void command(String[] words) throws Exception {
    if (words.length != 2 || !(words[0].equals("stop") || words[0].equals("start"))) {
      throw new IllegalArgumentException("commands are: stop N, start N, quit");
    }
    JettySolrRunner node = nodes.get(Integer.parseInt(words[1]));
    if (words[0].equals("stop") && node.isRunning()) {
      node.stop();
      cluster.waitForJettyToStop(node);
    } else if (words[0].equals("start") && !node.isRunning()) {
      node.start(true); // true: the same port, so the node's URL holds
      cluster.waitForNode(node, WAIT_SECONDS);
    }
  }

  private void report() {
    StringBuilder urls = new StringBuilder();
    StringBuilder up = new StringBuilder();
    for (JettySolrRunner node : nodes) {
      String sep = urls.length() == 0 ? "" : ", ";
      urls.append(sep).append(quote("http://127.0.0.1:" + node.getLocalPort() + "/solr"));
      up.append(sep).append(node.isRunning());
    }
    out.println("{\"zk\": " + quote(cluster.getZkServer().getZkAddress()) + ", \"nodes\": [" + urls
        + "], \"up\": [" + up + "]}");
  }

  private void shutdown(AtomicBoolean down) {
    if (down.compareAndSet(false, true)) {
      try {
        cluster.shutdown();
      } catch (Exception e) {
        System.err.println("shutdown: " + e);
      }
    }
  }

  /** A JSON string: the texts here are addresses and exception messages. */
  static String quote(String text) {
    StringBuilder s = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c < 0x20) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.append('"').toString();
  }

  /** The command line: --nodes N, --dir DIR, --config NAME=CONFDIR (repeatable). */
  private static final class Options {
    int nodeCount = 2;
    Path dir;
    final List<String[]> configs = new ArrayList<>();

    static Options parse(String[] args) throws Exception {
      Options o = new Options();
      for (int i = 0; i < args.length; i += 2) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        if (value == null) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        switch (args[i]) {
          case "--nodes" -> o.nodeCount = Integer.parseInt(value);
          case "--dir" -> o.dir = Path.of(value);
          case "--config" -> o.configs.add(value.split("=", 2));
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (o.dir == null) {
        o.dir = Files.createTempDirectory("solr-dev");
      }
      return o;
    }

    MiniSolrCloudCluster start() throws Exception {
      Files.createDirectories(dir);
      MiniSolrCloudCluster.Builder builder = new MiniSolrCloudCluster.Builder(nodeCount, dir);
      for (String[] config : configs) {
        builder.addConfig(config[0], Path.of(config[1]));
      }
      return builder.build();
    }
  }
}
