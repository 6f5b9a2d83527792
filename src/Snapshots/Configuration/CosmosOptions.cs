using System.ComponentModel.DataAnnotations;

namespace Snapshots.Configuration;

/// <summary>
/// Cosmos DB settings, bound from the <c>Cosmos</c> section. In Azure only <see cref="AccountEndpoint"/>
/// is set (identity-based); locally the runtime sets <see cref="ConnectionString"/> for the emulator.
/// </summary>
public sealed class CosmosOptions
{
    public const string SectionName = "Cosmos";

    public string? AccountEndpoint { get; set; }

    public string? ConnectionString { get; set; }

    [Required]
    public string DatabaseName { get; set; } = "snapshots";

    /// <summary>"managedidentity" selects the user-assigned identity named by <see cref="ClientId"/>.</summary>
    public string? Credential { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Local emulator only: accept its self-signed certificate and stay on the gateway endpoint.</summary>
    public bool UseLocalEmulator { get; set; }

    internal bool IsConfigured => !string.IsNullOrWhiteSpace(AccountEndpoint) || !string.IsNullOrWhiteSpace(ConnectionString);
}
