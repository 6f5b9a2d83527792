using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Snapshots.Functions.Diagnostics;

namespace Snapshots.Tests.Unit;

public sealed class TelemetryRegistrationTests
{
    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317", true)]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1/", true)]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "<application-insights-connection-string>", false)]
    [InlineData("UNRELATED", "x", false)]
    public void Tracing_and_metrics_are_registered_only_where_they_can_be_sent(string setting, string value, bool registered)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [setting] = value }).Build();
        using var services = new ServiceCollection().AddLogging().AddSnapshotsTelemetry(configuration).BuildServiceProvider();

        Assert.Equal(registered, services.GetService<TracerProvider>() is not null);
        Assert.Equal(registered, services.GetService<MeterProvider>() is not null);
    }

    [Theory]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD", "11111111-2222-3333-4444-555555555555")]
    [InlineData("Authorization=AAD", null)]
    [InlineData(null, null)]
    public void The_managed_identity_comes_from_the_authentication_string(string? authentication, string? clientId) =>
        Assert.Equal(clientId, TelemetryRegistration.ManagedIdentityClientId(authentication));
}
