using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Storage;

namespace Snapshots.Tests.Unit;

/// <summary>How hard restores and imports may write to a real Cosmos DB account: the settings and where they land.</summary>
public sealed class CosmosWriteSettingsTests
{
    [Fact]
    public void Rate_limited_requests_are_retried_as_configured_after_the_accounts_retry_after()
    {
        var client = new CosmosClientOptions();
        CosmosClientFactory.Configure(client, new CosmosOptions { MaxRateLimitRetries = 20, MaxRateLimitWaitSeconds = 90 });

        Assert.Equal(20, client.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(90), client.MaxRetryWaitTimeOnRateLimitedRequests);
    }

    [Fact]
    public void The_defaults_are_the_SDKs_documented_ones_and_sixteen_writes_per_batch()
    {
        var options = Bind([]);

        Assert.Equal(16, options.WriteConcurrency);
        var client = new CosmosClientOptions();
        CosmosClientFactory.Configure(client, options);
        Assert.Equal(9, client.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(30), client.MaxRetryWaitTimeOnRateLimitedRequests);
    }

    [Fact]
    public void The_write_concurrency_comes_from_configuration()
    {
        Assert.Equal(4, Bind(new() { ["Cosmos:writeConcurrency"] = "4" }).WriteConcurrency);
    }

    [Theory]
    [InlineData("Cosmos:writeConcurrency", "0")]
    [InlineData("Cosmos:writeConcurrency", "65")]
    [InlineData("Cosmos:maxRateLimitRetries", "-1")]
    [InlineData("Cosmos:maxRateLimitWaitSeconds", "0")]
    public void Out_of_range_settings_stop_the_app_with_the_setting_named(string key, string value)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));
        Assert.Contains(key.Split(':')[1], refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static CosmosOptions Bind(Dictionary<string, string?> settings)
    {
        settings["Cosmos:accountEndpoint"] = "https://cosmos-example.documents.azure.com:443/";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddSnapshotsEngine(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<CosmosOptions>>().Value;
    }
}
