using System.Text.Json;
using Snapshots.Projects;

namespace Snapshots.Webhooks;

/// <summary>The events a webhook can subscribe to.</summary>
public static class WebhookEvents
{
    public const string SnapshotCreated = "snapshot.created";
    public const string SnapshotFailed = "snapshot.failed";
    public const string RestoreRestored = "restore.restored";
    public const string RestoreFailed = "restore.failed";
    public const string VerificationFailed = "verification.failed";
    public const string BackupSkipped = "backup.skipped";

    public static IReadOnlyList<string> All { get; } =
        [SnapshotCreated, SnapshotFailed, RestoreRestored, RestoreFailed, VerificationFailed, BackupSkipped];
}

/// <summary>One webhook of a project: where to post which events. The secret itself is kept elsewhere (see <see cref="IWebhookSecrets"/>).</summary>
public sealed record Webhook
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>Where the signing secret is: a Key Vault secret name in Azure, a Cosmos item locally.</summary>
    public required string SecretRef { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SecretSetAt { get; init; }
}

/// <summary>A project's webhooks, one item in the project's partition.</summary>
public sealed record ProjectWebhooks : IProjectEntity
{
    public const string ItemId = "webhooks";

    public string Id { get; init; } = ItemId;

    public IReadOnlyList<Webhook> Webhooks { get; init; } = [];

    public DateTimeOffset UpdatedAt { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>
/// Something happened that webhooks may hear of. <paramref name="EventId"/> is fixed by whoever raised it (an
/// orchestration's deterministic guid), so raising it twice delivers it once.
/// </summary>
public sealed record WebhookEvent(string EventId, string Type, string ProjectId, string SubjectId, DateTimeOffset OccurredAt);

/// <summary>One event for one webhook: the body is built once, so every attempt sends (and signs) the same bytes.</summary>
public sealed record WebhookDelivery(string DeliveryId, string WebhookId, string ProjectId, string Event, string Body, int MaxAttempts, TimeSpan FirstRetryDelay)
{
    /// <summary>The pause after attempt <paramref name="attempt"/> failed: doubling from the first delay, at most an hour.</summary>
    public TimeSpan DelayAfter(int attempt) =>
        TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks * (1L << Math.Min(attempt - 1, 20)), TimeSpan.FromHours(1).Ticks));
}

public sealed record SendWebhookRequest(WebhookDelivery Delivery, int Attempt);

/// <summary>How one attempt went; <paramref name="Final"/> when no later attempt can change it (delivered, or the webhook is gone or off).</summary>
public sealed record DeliveryResult(bool Delivered, bool Final, int? Status = null, string? Error = null);

/// <summary>One attempt of a delivery, in the webhook's delivery log.</summary>
public sealed record DeliveryAttempt : IProjectEntity
{
    public static string PartitionOf(string webhookId) => $"_webhook-deliveries:{webhookId}";

    /// <summary>Sorts newest first: the time inverted, then the delivery and the attempt.</summary>
    public required string Id { get; init; }

    public required string DeliveryId { get; init; }

    public required string WebhookId { get; init; }

    public required string Event { get; init; }

    public int Attempt { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>"delivered", "retrying" (another attempt follows) or "failed" (the last attempt, or the webhook is gone).</summary>
    public required string Outcome { get; init; }

    public int? Status { get; init; }

    public string? Error { get; init; }

    public double DurationMilliseconds { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}
