package dev.tare.cli.serve;

import dev.tare.serve.Deployment;
import dev.tare.serve.RewardServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** `tare serve`: the debiased reward over HTTP for RL trainers (OpenRLHF protocol + native API). */
@Command(name = "serve", mixinStandardHelpOptions = true, subcommands = ServeBenchCommand.class,
        description = {"Serve rewards over HTTP: POST /get_reward (OpenRLHF), POST /v1/reward (native), GET /health, GET /metrics.",
                "Sources, weights, calibrator, batching and limits come from a deployment config (see README)."})
public final class ServeCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Deployment config (JSON). Required.")
    Path config;

    @Option(names = "--host", paramLabel = "HOST", description = "Bind address (default from config, else 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port (default from config, else 8000; 0 = any free port).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        if (config == null) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "Missing required option: '--config=FILE'");
        Deployment d = Deployment.load(config);
        RewardServer.Options o = d.options();
        o = o.withHost(host != null ? host : o.host()).withPort(port != null ? port : o.port());
        RewardServer server = RewardServer.start(d.pipeline(), o);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("tare serve: draining in-flight requests...");
            server.close();
            stopped.countDown();
        }));
        System.err.printf("tare serve: listening on http://%s:%d (POST /get_reward, POST /v1/reward, GET /health, GET /metrics)%s; admission %s%n",
                o.host(), server.port(), o.bearerToken() != null ? ", bearer token required" : "", o.admission().describe());
        stopped.await();
        return 0;
    }
}
