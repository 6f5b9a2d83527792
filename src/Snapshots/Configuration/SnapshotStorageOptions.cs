using System.ComponentModel.DataAnnotations;

namespace Snapshots.Configuration;

/// <summary>
/// Where snapshot archives live, bound from <c>Snapshots:Storage</c> (the counterpart of Konfuzio's
/// SNAPSHOT_DEFAULT_FILE_STORAGE). The same section configures the blob client, so it also carries
/// <c>serviceUri</c>/<c>credential</c>/<c>clientId</c> in Azure or <c>connectionString</c> locally.
/// </summary>
public sealed class SnapshotStorageOptions
{
    public const string SectionName = "Snapshots:Storage";

    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Snapshots:Storage:ContainerName must be a valid blob container name.")]
    public string ContainerName { get; set; } = "snapshots";

    /// <summary>
    /// Read-only blob endpoint of the account in the paired region (<c>https://&lt;name&gt;-secondary.blob...</c>,
    /// RA-GRS/RA-GZRS accounts only): reads fall back to it when the primary does not answer. Empty: none.
    /// </summary>
    public string? SecondaryServiceUri { get; set; }
}
