using System.Text.Json;
using Snapshots.Configuration;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Webhooks;

/// <summary>The JSON body of a delivery. Links are paths of this service's API (prefix them with its address).</summary>
public sealed record WebhookPayload(
    string DeliveryId,
    string Event,
    DateTimeOffset OccurredAt,
    string ProjectId,
    string SubjectId,
    string StatusText,
    object? Counts,
    string? Reason,
    IReadOnlyList<string> Failures,
    IReadOnlyDictionary<string, string> Links);

/// <summary>Builds an event's payload from the record it is about, as the record is when the event is raised.</summary>
public sealed class WebhookPayloads(SnapshotStore snapshots, RestoreStore restores)
{
    /// <summary>The payload without its delivery id, and the projects whose webhooks hear of it; null when the record is gone.</summary>
    public async Task<(WebhookPayload Payload, IReadOnlyList<string> Projects)?> BuildAsync(WebhookEvent raised, CancellationToken cancellationToken)
    {
        switch (raised.Type)
        {
            case WebhookEvents.RestoreRestored or WebhookEvents.RestoreFailed:
                if (await restores.GetAsync(raised.SubjectId, cancellationToken) is not { } restore)
                {
                    return null;
                }

                // A restore concerns its target and the project its snapshot was taken of (which may differ, or be in another environment).
                var source = restore.SnapshotId is { } snapshotId ? (await snapshots.GetAsync(snapshotId, cancellationToken))?.ProjectId : null;
                var links = new Dictionary<string, string> { ["restore"] = $"/api/restores/{restore.Id}", ["project"] = $"/api/projects/{restore.ProjectId}" };
                if (restore.SnapshotId is not null)
                {
                    links["snapshot"] = $"/api/snapshots/{restore.SnapshotId}";
                }

                var restored = raised.Type == WebhookEvents.RestoreRestored;
                return (Payload(raised, restore.ProjectId,
                    RestoreStatusTexts.For(restored ? RestoreStatus.Restored : RestoreStatus.ContactSupport), restored ? restore.Report : null, restore.Error, [], links),
                    source is null || source == restore.ProjectId ? [restore.ProjectId] : [restore.ProjectId, source]);

            default:
                if (await snapshots.GetAsync(raised.SubjectId, cancellationToken) is not { } snapshot)
                {
                    return null;
                }

                var snapshotLinks = new Dictionary<string, string> { ["snapshot"] = $"/api/snapshots/{snapshot.Id}", ["project"] = $"/api/projects/{snapshot.ProjectId}" };
                var payload = raised.Type switch
                {
                    WebhookEvents.VerificationFailed => Payload(raised, snapshot.ProjectId, "Verification failed",
                        new { entries = snapshot.Verification?.Entries ?? 0 }, snapshot.Verification?.Failures.FirstOrDefault(), snapshot.Verification?.Failures ?? [], snapshotLinks),
                    WebhookEvents.BackupSkipped => Payload(raised, snapshot.ProjectId, "Scheduled backup skipped", null, snapshot.FailureReason, [],
                        new Dictionary<string, string>(snapshotLinks) { ["policy"] = $"/api/projects/{snapshot.ProjectId}/backup-policy" }),
                    _ => Payload(raised, snapshot.ProjectId, snapshot.StatusText, snapshot.Counts, snapshot.FailureReason, [],
                        snapshot.Status == SnapshotStatus.Created ? new Dictionary<string, string>(snapshotLinks) { ["download"] = $"/api/snapshots/{snapshot.Id}/download" } : snapshotLinks),
                };
                return (payload, [snapshot.ProjectId]);
        }
    }

    public static string Serialize(WebhookPayload payload) => JsonSerializer.Serialize(payload, SnapshotsJson.Options);

    private static WebhookPayload Payload(
        WebhookEvent raised, string projectId, string statusText, object? counts, string? reason, IReadOnlyList<string> failures, IReadOnlyDictionary<string, string> links) =>
        new("", raised.Type, raised.OccurredAt, projectId, raised.SubjectId, statusText, counts, reason, failures, links);
}

/// <summary>Turns an event into one delivery per subscribed, enabled webhook of each project concerned.</summary>
public sealed class WebhookDispatcher(Projects.ProjectStore store, WebhookPayloads payloads, Microsoft.Extensions.Options.IOptions<WebhookOptions> options)
{
    public async Task<List<WebhookDelivery>> PlanAsync(WebhookEvent raised, CancellationToken cancellationToken)
    {
        var deliveries = new List<WebhookDelivery>();
        if (await payloads.BuildAsync(raised, cancellationToken) is not var (payload, projects))
        {
            return deliveries;
        }

        foreach (var projectId in projects)
        {
            var config = await store.GetAsync<ProjectWebhooks>(projectId, ProjectWebhooks.ItemId, cancellationToken);
            foreach (var webhook in config?.Webhooks.Where(w => w.Enabled && w.Events.Contains(raised.Type)) ?? [])
            {
                var deliveryId = $"{raised.EventId}-{webhook.Id}";
                deliveries.Add(new WebhookDelivery(deliveryId, webhook.Id, projectId, raised.Type,
                    WebhookPayloads.Serialize(payload with { DeliveryId = deliveryId }),
                    options.Value.MaxAttempts, TimeSpan.FromSeconds(options.Value.FirstRetrySeconds)));
            }
        }

        return deliveries;
    }
}
