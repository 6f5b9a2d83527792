using Snapshots.Projects;

namespace Snapshots.Webhooks;

/// <summary>
/// Each webhook's delivery attempts, newest first, in a partition of the webhook's own, cut to the newest
/// <see cref="WebhookOptions.MaxLogEntries"/> as attempts are written: so a page is sorted from a bounded list.
/// </summary>
public sealed class DeliveryLog(ProjectStore store)
{
    public static string EntryId(DateTimeOffset at, string deliveryId, int attempt) =>
        $"{long.MaxValue - at.UtcTicks:D19}-{deliveryId}-{attempt:D2}";

    public async Task WriteAsync(DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        var partition = DeliveryAttempt.PartitionOf(attempt.WebhookId);
        await store.UpsertAsync(partition, attempt, cancellationToken);
        var ids = await store.ListPartitionAsync<DeliveryAttempt>(partition, cancellationToken).Select(a => a.Id).ToListAsync(cancellationToken);
        foreach (var old in ids.Order(StringComparer.Ordinal).Skip(WebhookOptions.MaxLogEntries))
        {
            await store.DeleteAsync<DeliveryAttempt>(partition, old, cancellationToken);
        }
    }

    public async Task<Page<DeliveryAttempt>> ListAsync(string webhookId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var offset = int.TryParse(continuationToken, out var parsed) && parsed > 0 ? parsed : 0;
        var all = await store.ListPartitionAsync<DeliveryAttempt>(DeliveryAttempt.PartitionOf(webhookId), cancellationToken).ToListAsync(cancellationToken);
        var page = all.OrderBy(a => a.Id, StringComparer.Ordinal).Skip(offset).Take(pageSize).ToList();
        return new Page<DeliveryAttempt>(page, offset + page.Count < all.Count ? (offset + page.Count).ToString() : null);
    }

    public async Task DeleteAllAsync(string webhookId, CancellationToken cancellationToken)
    {
        var partition = DeliveryAttempt.PartitionOf(webhookId);
        var ids = await store.ListPartitionAsync<DeliveryAttempt>(partition, cancellationToken).Select(a => a.Id).ToListAsync(cancellationToken);
        foreach (var id in ids)
        {
            await store.DeleteAsync<DeliveryAttempt>(partition, id, cancellationToken);
        }
    }
}
