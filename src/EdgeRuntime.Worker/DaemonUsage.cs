namespace EdgeRuntime.Worker;

/// <summary>What <c>edge-runtime --help</c> prints.</summary>
internal static class DaemonUsage
{
    public const string Text = """
        edge-runtime: the EdgeRuntime daemon (model delivery over MQTT, graph optimisation, sensor pipelines).

        Usage:
          edge-runtime [--Section:Key VALUE]...   run the daemon (stop with Ctrl-C or SIGTERM)
          edge-runtime health [--Section:Key VALUE]...
                                                  exit 0 if the running daemon is healthy or degraded, 1 if not
          edge-runtime --version                  print the version
          edge-runtime --help                     print this

        Configuration, later layers winning:
          1. configs/*.json next to the binary (shipped defaults)
          2. *.json in ConfigDirectory (EDGE_ConfigDirectory=/etc/edge-runtime)
          3. environment variables EDGE_Section__Key (e.g. EDGE_Mqtt__Server=mqtts://broker:8883)
          4. the command line --Section:Key VALUE (e.g. --Mqtt:EmbeddedPort 1884)
        Unknown keys and bad values stop the daemon with one line naming the key (exit code 2).
        Sections: DeviceId, DeviceTags, StateDirectory, Mqtt, Status, Delivery, Serving, Pipelines, Batching, Results,
        Health, Metrics, Logging, Learning, Federated, Kernels; every key is listed in the README's Configuration table.

        Exit codes: 0 clean stop, 1 failure to start or run, 2 configuration error.

        """;
}
