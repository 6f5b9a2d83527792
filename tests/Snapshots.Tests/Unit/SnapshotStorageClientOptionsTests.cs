using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Storage;

namespace Snapshots.Tests.Unit;

public sealed class SnapshotStorageClientOptionsTests
{
    private const string Secondary = "https://stsnapexample-secondary.blob.core.windows.net/";

    [Fact]
    public void A_configured_secondary_becomes_the_geo_redundant_read_endpoint()
    {
        var options = new BlobClientOptions();
        SnapshotStorageClientOptions.Configure(options, new SnapshotStorageOptions { SecondaryServiceUri = Secondary });
        Assert.Equal(new Uri(Secondary), options.GeoRedundantSecondaryUri);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_a_secondary_reads_stay_on_the_primary(string? secondary)
    {
        var options = new BlobClientOptions();
        SnapshotStorageClientOptions.Configure(options, new SnapshotStorageOptions { SecondaryServiceUri = secondary });
        Assert.Null(options.GeoRedundantSecondaryUri);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData(Secondary, true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1-secondary", true)]
    [InlineData("stsnapexample-secondary.blob.core.windows.net", false)]
    [InlineData("ftp://example.net/", false)]
    public void The_secondary_is_empty_or_an_absolute_http_address(string? secondary, bool valid) =>
        Assert.Equal(valid, SnapshotStorageClientOptions.IsValidSecondary(secondary));

    /// <summary>The engine's registration: the snapshot client gets the secondary from configuration, the data client does not.</summary>
    [Fact]
    public void Only_the_snapshot_client_reads_from_the_secondary()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Snapshots:Storage:serviceUri"] = "https://stsnapexample.blob.core.windows.net/",
            ["Snapshots:Storage:secondaryServiceUri"] = Secondary,
            ["DataStorage:serviceUri"] = "https://stdataexample.blob.core.windows.net/",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddSnapshotsEngine(configuration).BuildServiceProvider();

        var clientOptions = services.GetRequiredService<IOptionsMonitor<BlobClientOptions>>();
        Assert.Equal(new Uri(Secondary), clientOptions.Get(BlobClientNames.Snapshots).GeoRedundantSecondaryUri);
        Assert.Null(clientOptions.Get(BlobClientNames.Data).GeoRedundantSecondaryUri);
        // Reader marks, which guard deletes, are read from the primary only: the secondary may not have a fresh one yet.
        Assert.Null(clientOptions.Get(BlobClientNames.SnapshotsPrimary).GeoRedundantSecondaryUri);
    }
}
