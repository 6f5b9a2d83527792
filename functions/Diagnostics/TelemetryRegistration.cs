using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Snapshots.Diagnostics;

namespace Snapshots.Functions.Diagnostics;

/// <summary>
/// OpenTelemetry for both hosts, registered once: traces of HTTP requests, Durable Task orchestrations and activities
/// and Azure SDK calls (one trace from the request to the last activity, as the Durable Task client and worker carry
/// the context), the <see cref="SnapshotsTelemetry"/> meter, and logs. Where it goes: Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (with the managed identity that
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> names, as the Bicep sets it: local auth is off), OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; with neither, nothing is registered and only the console logs remain.
/// </summary>
public static class TelemetryRegistration
{
    public const string ServiceName = "snapshots";

    public static IServiceCollection AddSnapshotsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // The Azure SDK creates its spans only when asked to.
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

        var azureMonitor = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connection && !connection.StartsWith('<')
            ? (Action<AzureMonitorExporterOptions>)(options =>
            {
                options.ConnectionString = connection;
                if (ManagedIdentityClientId(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]) is { } clientId)
                {
                    options.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            })
            : null;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (azureMonitor is null && !otlp)
        {
            // Nowhere to send it: no listener at all, so spans are not even created (the console logs stay).
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(SnapshotsTelemetry.Name, SnapshotsTelemetry.DurableTaskSource, SnapshotsTelemetry.AzureSdkSources)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (azureMonitor is not null)
                {
                    tracing.AddAzureMonitorTraceExporter(azureMonitor);
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SnapshotsTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (azureMonitor is not null)
                {
                    metrics.AddAzureMonitorMetricExporter(azureMonitor);
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithLogging(logging =>
            {
                if (azureMonitor is not null)
                {
                    logging.AddAzureMonitorLogExporter(azureMonitor);
                }

                if (otlp)
                {
                    logging.AddOtlpExporter();
                }
            }, options => options.IncludeFormattedMessage = true);
        return services;
    }

    /// <summary>The client id of <c>ClientId=&lt;id&gt;;Authorization=AAD</c>, or null.</summary>
    public static string? ManagedIdentityClientId(string? authentication) =>
        (authentication ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .FirstOrDefault(pair => pair.Length == 2 && pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))?[1];
}
