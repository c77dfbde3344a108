import org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner;

import java.io.File;

/**
 * One Elasticsearch node for a container: listens on all interfaces (9200 HTTP, 9300
 * transport), single-node discovery, data under args[0]. SIGTERM closes it cleanly.
 */
public class TickpipeEsContainer {
    public static void main(String[] args) throws Exception {
        final String base = args[0];
        new File(base, "tmp").mkdirs();
        final ElasticsearchClusterRunner runner = new ElasticsearchClusterRunner();
        runner.setMaxHttpPort(65535);
        runner.onBuild((number, settings) -> {
            settings.put("network.host", "0.0.0.0");
            settings.put("http.port", "9200");
            settings.put("transport.port", "9300");
            settings.put("discovery.type", "single-node");
            // A fuller disk must not flip indices to read-only under the pipeline's feet.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        });
        runner.build(ElasticsearchClusterRunner.newConfigs()
                .basePath(base).numOfNode(1).baseHttpPort(9199).clusterName("tickpipe"));
        // One node cannot hold replicas: default new indices to 0 so the cluster is green.
        runner.client().admin().indices().preparePutTemplate("tickpipe-single-node")
                .setPatterns(java.util.List.of("*")).setOrder(0)
                .setSettings(org.elasticsearch.common.settings.Settings.builder()
                        .put("index.number_of_replicas", 0))
                .get();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
