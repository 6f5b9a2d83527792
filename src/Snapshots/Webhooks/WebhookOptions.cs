using System.ComponentModel.DataAnnotations;

namespace Snapshots.Webhooks;

/// <summary>Webhook delivery settings, bound from <c>Snapshots:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Snapshots:Webhooks";

    /// <summary>The Key Vault section (<c>vaultUri</c>, <c>credential</c>, <c>clientId</c>) that keeps the signing secrets in Azure.</summary>
    public const string KeyVaultSectionName = SectionName + ":KeyVault";

    /// <summary>
    /// Lets webhooks post to loopback over plain http. The local runtime sets it; the deployed app forces it off, so
    /// there every target is https on a public address.
    /// </summary>
    public bool AllowLoopback { get; set; }

    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The pause after the first failed attempt; each later pause doubles, up to an hour.</summary>
    [Range(1, 3600)]
    public int FirstRetrySeconds { get; set; } = 30;

    [Range(1, 60)]
    public int TimeoutSeconds { get; set; } = 10;

    public const int MaxPerProject = 10;

    /// <summary>Delivery log entries kept per webhook; older ones are removed as new ones are written.</summary>
    public const int MaxLogEntries = 200;
}
