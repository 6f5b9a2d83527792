using System.Text.Json;
using System.Text.RegularExpressions;
using Snapshots.Configuration;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Infrastructure;

/// <summary>
/// The settings the app reads in Azure, the app settings the Bicep sets, and local.settings.sample.json must
/// name the same things. The Bicep is read as text: the function app's settings are the keys of the
/// <c>appSettings: { ... }</c> object in main.bicep, one <c>Name: value</c> a line.
/// </summary>
public sealed partial class AppSettingsContractTests
{
    // Local-only settings: the Functions worker runtime (Flex Consumption sets it in functionAppConfig), and the
    // emulator connection settings the local runtime sets itself.
    private static readonly HashSet<string> LocalOnly = ["FUNCTIONS_WORKER_RUNTIME"];

    [Fact]
    public void The_bicep_sets_exactly_the_settings_of_the_sample()
    {
        var sample = SampleSettings().Except(LocalOnly).ToHashSet();
        var bicep = BicepAppSettings();

        Assert.True(sample.SetEquals(bicep),
            $"only in the sample: {string.Join(", ", sample.Except(bicep))}; only in the Bicep: {string.Join(", ", bicep.Except(sample))}");
    }

    [Fact]
    public void Every_option_the_code_binds_in_azure_is_in_the_sample()
    {
        var sample = SampleSettings().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var read = OptionSettings(SnapshotsOptions.SectionName, typeof(SnapshotsOptions))
            .Concat(OptionSettings(SnapshotStorageOptions.SectionName, typeof(SnapshotStorageOptions)))
            .Concat(OptionSettings(CosmosOptions.SectionName, typeof(CosmosOptions), nameof(CosmosOptions.ConnectionString), nameof(CosmosOptions.UseLocalEmulator)))
            .Concat(["DataStorage__serviceUri", "Snapshots__Storage__serviceUri", "TaskHubName", "AzureWebJobsStorage__blobServiceUri"]);

        Assert.All(read, setting => Assert.Contains(setting, sample));
    }

    [Fact]
    public void The_sample_holds_placeholders_not_secrets()
    {
        Assert.All(SampleValues(), pair =>
        {
            Assert.DoesNotContain("AccountKey=", pair.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature", pair.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("InstrumentationKey=", pair.Value, StringComparison.OrdinalIgnoreCase);
        });
    }

    private static IEnumerable<string> OptionSettings(string section, Type options, params string[] localOnly) =>
        options.GetProperties().Where(p => p.CanWrite && !localOnly.Contains(p.Name)).Select(p => $"{section.Replace(":", "__")}__{p.Name}");

    private static IEnumerable<string> SampleSettings() => SampleValues().Select(p => p.Key);

    private static IEnumerable<KeyValuePair<string, string>> SampleValues()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString() ?? "")).ToList();
    }

    private static HashSet<string> BicepAppSettings()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "bicep", "main.bicep"));
        var block = AppSettingsBlock().Match(bicep);
        Assert.True(block.Success, "main.bicep has no appSettings: { ... } block");
        return SettingKey().Matches(block.Groups["body"].Value).Select(m => m.Groups["name"].Value).ToHashSet();
    }

    [GeneratedRegex(@"appSettings:\s*\{(?<body>.*?)\n\s*\}", RegexOptions.Singleline)]
    private static partial Regex AppSettingsBlock();

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline)]
    private static partial Regex SettingKey();
}
