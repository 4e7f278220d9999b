using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeRuntime.Worker.Metrics;

/// <summary>
/// Turns the Prometheus endpoint's failure to listen into the one line the daemon prints before it exits.
/// </summary>
/// <remarks>
/// OpenTelemetry starts the endpoint's <see cref="HttpListener"/> while the metrics are built, which happens when the
/// options are validated, and reports a failure only as "PrometheusExporter HttpListener could not be started", with
/// the reason in an inner <see cref="HttpListenerException"/>. Left alone that line read as a configuration error
/// without a reason.
/// </remarks>
public static class PrometheusEndpointFailure
{
    // EADDRINUSE as HttpListener reports it on Linux (98) and macOS (48), and WSAEADDRINUSE on Windows (10048).
    private static readonly int[] AddressInUseCodes = [98, 48, (int)SocketError.AddressAlreadyInUse];

    /// <summary>
    /// The line for a failure to open the endpoint on <paramref name="port"/>, or null when
    /// <paramref name="exception"/> (searched with its inner exceptions) is not such a failure.
    /// </summary>
    /// <param name="exception">What building or starting the host threw.</param>
    /// <param name="port">Metrics:Prometheus:Port as configured.</param>
    public static string? Describe(Exception exception, int port)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpListenerException listener)
            {
                var at = $"Metrics:Prometheus:Port: port {port.ToString(CultureInfo.InvariantCulture)} on 127.0.0.1";
                return AddressInUseCodes.Contains(listener.ErrorCode)
                    ? $"{at} is already in use (is another daemon or exporter running? choose another Metrics:Prometheus:Port, or set Metrics:Prometheus:Enabled false)"
                    : $"{at} cannot be opened: {listener.Message}";
            }
        }

        return null;
    }
}
