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

    /// <summary>
    /// Upserts one restore or import batch activity keeps in flight. Up to 8 batch activities run at once, so a restore
    /// has at most 8 times this many writes in flight: lower it when a large restore must leave RU/s to the live application.
    /// A restore batch also holds up to this many small files (1 MiB or less each) in memory while it uploads them,
    /// hence the upper bound.
    /// </summary>
    [Range(1, 64)]
    public int WriteConcurrency { get; set; } = 16;

    /// <summary>
    /// Writes a document's annotation sets and annotations as transactional batches (one request per up to 100 items
    /// of one document) instead of one upsert each. On in Azure; the local emulator has no transactional batch, so
    /// it stays off there.
    /// </summary>
    public bool UseTransactionalBatch { get; set; }

    /// <summary>
    /// How often the SDK retries a request the account refused for its RU/s (429), each time after the retry-after
    /// the account sent; past that the activity fails and the durable retry policy takes over.
    /// </summary>
    [Range(0, 120)]
    public int MaxRateLimitRetries { get; set; } = 9;

    /// <summary>The longest the SDK waits in total on one request's 429s (seconds).</summary>
    [Range(1, 600)]
    public int MaxRateLimitWaitSeconds { get; set; } = 30;

    internal bool IsConfigured => !string.IsNullOrWhiteSpace(AccountEndpoint) || !string.IsNullOrWhiteSpace(ConnectionString);
}
