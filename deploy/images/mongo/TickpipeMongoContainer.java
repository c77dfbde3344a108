import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/** Serves the MongoDB wire protocol on 0.0.0.0:args[1], data in the MVStore file args[0]. */
public class TickpipeMongoContainer {
    public static void main(String[] args) throws Exception {
        final MongoServer server = new MongoServer(new H2Backend(args[0]));
        server.bind("0.0.0.0", Integer.parseInt(args[1]));
        // shutdown() also closes the backend, which flushes the MVStore file.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        Thread.currentThread().join();
    }
}
