namespace Snapshots.Configuration;

/// <summary>Product settings, bound from the <c>Snapshots</c> configuration section.</summary>
public sealed class SnapshotsOptions
{
    public const string SectionName = "Snapshots";

    /// <summary>Name of this installation, recorded in every manifest as the source environment.</summary>
    public string EnvironmentName { get; set; } = "local";

    /// <summary>When false (the default) restore-by-identifier from another environment does not exist.</summary>
    public bool RestoreAcrossEnvironments { get; set; }

    /// <summary>Categorization AIs trained by an older model version are left out of snapshots.</summary>
    public string CategorizationAiMinVersion { get; set; } = "0.0.0";
}
