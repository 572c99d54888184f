package mjs;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.util.List;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.File;

/** Runs mongo-java-server with its H2 backend on a loopback port: Launcher <port> <data-file>. */
public final class Launcher {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        File file = new File(args[1]);
        file.getAbsoluteFile().getParentFile().mkdirs();
        H2Backend backend = new H2Backend(file.getAbsolutePath());
        // The server announces MongoDB 4.0 (wire version 7); the Node driver of mongoose 8 needs 4.2
        // (wire version 8). Announce 4.2: the commands the app sends are the same.
        backend.version(new MongoVersion() {
            @Override public List<Integer> getVersionArray() { return List.of(4, 2, 0); }
            @Override public int getWireVersion() { return 8; }
        });
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        System.out.println("READY mongodb://127.0.0.1:" + port + "/");
        System.out.flush();
        Thread.currentThread().join();
    }
}
