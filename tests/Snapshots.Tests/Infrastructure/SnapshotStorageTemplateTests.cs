using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Infrastructure;

/// <summary>
/// Cross-region settings of the snapshot storage and Cosmos DB, read from the Bicep sources (.ci/bicep.sh builds and
/// lints the compiled template): read-access geo-redundant snapshot storage by default, its secondary endpoint given
/// to the app, WORM off and Cosmos continuous backup (7 days) on by default, and azd variables for all three.
/// </summary>
public sealed class SnapshotStorageTemplateTests
{
    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([RepositoryPaths.Root, .. path]));

    private static string Main => Read("infra", "bicep", "main.bicep");

    private static string AzdDefault(string parameter) =>
        JsonNode.Parse(Read("infra", "bicep", "main.parameters.json"))!["parameters"]![parameter]!["value"]!.GetValue<string>();

    [Fact]
    public void The_snapshot_storage_is_read_access_geo_zone_redundant_by_default_with_ra_grs_as_the_fallback()
    {
        Assert.Matches(@"@allowed\(\[[^\]]*'Standard_RAGRS'[^\]]*\]\)\s*\r?\nparam snapshotStorageSku string = 'Standard_RAGZRS'\s*\r?\n", Main);
        Assert.Equal("${SNAPSHOTS_STORAGE_SKU=Standard_RAGZRS}", AzdDefault("snapshotStorageSku"));
        Assert.Matches(@"module snapshotStorage 'modules/storage.bicep'[^}]*\bsku: snapshotStorageSku\b", Main);
        Assert.Matches(@"\n\s*sku: \{ name: sku \}", Read("infra", "bicep", "modules", "storage.bicep"));
    }

    [Fact]
    public void The_app_is_given_the_secondary_blob_endpoint_of_whichever_snapshot_account_it_uses()
    {
        Assert.Matches(@"\n\s*Snapshots__Storage__secondaryServiceUri: snapshotStorageRoles\.outputs\.secondaryBlobEndpoint\s*\n", Main);
        Assert.Matches(@"output secondaryBlobEndpoint string = account\.properties\.\?secondaryEndpoints\.\?blob \?\? ''",
            Read("infra", "bicep", "modules", "storage-roles.bicep"));
    }

    [Fact]
    public void Version_level_worm_on_the_snapshot_container_is_a_parameter_off_by_default()
    {
        Assert.Matches(@"\nparam snapshotImmutabilityDays int = 0\s*\r?\n", Main);
        Assert.Equal("${SNAPSHOTS_IMMUTABILITY_DAYS=0}", AzdDefault("snapshotImmutabilityDays"));
        Assert.Matches(@"module snapshotStorage 'modules/storage.bicep'[^}]*\bimmutabilityDays: snapshotImmutabilityDays\b", Main);

        var storage = Read("infra", "bicep", "modules", "storage.bicep");
        Assert.Matches(@"immutableStorageWithVersioning: \{\s*enabled: true\s*immutabilityPolicy: \{\s*immutabilityPeriodSinceCreationInDays: max\(immutabilityDays, 1\)", storage);
        Assert.Matches(@"publicAccess: 'None'\s*\.\.\.\(immutable \? \{ immutableStorageWithVersioning: \{ enabled: true \} \} : \{\}\)", storage);
        Assert.Matches(@"isVersioningEnabled: versioning \|\| immutable\b", storage);
    }

    [Fact]
    public void Cosmos_continuous_backup_is_a_parameter_on_by_default_in_the_free_tier()
    {
        Assert.Matches(@"@allowed\(\['Periodic', 'Continuous7Days', 'Continuous30Days'\]\)\s*\r?\nparam cosmosContinuousBackup string = 'Continuous7Days'\s*\r?\n", Main);
        Assert.Equal("${SNAPSHOTS_COSMOS_CONTINUOUS_BACKUP=Continuous7Days}", AzdDefault("cosmosContinuousBackup"));
        Assert.Matches(@"\n\s*backup: cosmosContinuousBackup\s*\n", Main);
        Assert.Matches(@"backupPolicy: \{ type: 'Continuous', continuousModeProperties: \{ tier: backup \} \}", Read("infra", "bicep", "modules", "cosmos.bicep"));
    }
}
