using Microsoft.Extensions.Options;
using Snapshots.Projects;

namespace Snapshots.Audit;

/// <summary>
/// Reads a scope's log newest first and prunes what is past the retention. The emulator has no ORDER BY, so a
/// day's entries are streamed and only the smallest ids after the token's are kept: memory is bounded by the page size.
/// </summary>
public sealed class AuditLog(ProjectStore store, IOptions<AuditOptions> options, TimeProvider clock)
{
    public async Task<Page<AuditEntry>> PageAsync(string scope, int pageSize, AuditPageToken? from, CancellationToken cancellationToken)
    {
        var days = await DaysNewestFirstAsync(scope, cancellationToken);
        var items = new List<AuditEntry>(pageSize);
        foreach (var day in days.Where(d => from is null || string.CompareOrdinal(d, from.Day) <= 0))
        {
            var after = from is not null && day == from.Day ? from.AfterId : "";
            var need = pageSize - items.Count;
            var entries = await SmallestAfterAsync(AuditPartitions.EntriesPartition(scope, day), after, need + 1, cancellationToken);
            var taken = entries.Take(need).ToList();
            items.AddRange(taken);
            if (items.Count == pageSize)
            {
                var more = taken.Count < entries.Count || days.Any(d => string.CompareOrdinal(d, day) < 0);
                return new Page<AuditEntry>(items, more ? new AuditPageToken(day, taken.Count > 0 ? taken[^1].Id : after).Encode() : null);
            }
        }

        return new Page<AuditEntry>(items, null);
    }

    /// <summary>Deletes every scope's days past the retention: their entries first, then the day's marker. Returns the days removed.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var pruned = 0;
        await foreach (var scope in store.ListPartitionAsync<AuditScope>(AuditPartitions.ScopesPartition, cancellationToken))
        {
            foreach (var day in await DaysNewestFirstAsync(scope.Id, cancellationToken))
            {
                if (!AuditPartitions.IsExpired(day, now, options.Value.RetentionDays))
                {
                    continue;
                }

                var partition = AuditPartitions.EntriesPartition(scope.Id, day);
                await foreach (var entry in store.ListPartitionAsync<AuditEntry>(partition, cancellationToken))
                {
                    await store.DeleteAsync<AuditEntry>(partition, entry.Id, cancellationToken);
                }

                await store.DeleteAsync<AuditDay>(AuditPartitions.DaysPartition(scope.Id), day, cancellationToken);
                pruned++;
            }
        }

        return pruned;
    }

    /// <summary>The <paramref name="count"/> smallest entry ids above <paramref name="after"/>, in order, from one streamed pass over the day.</summary>
    private async Task<List<AuditEntry>> SmallestAfterAsync(string partition, string after, int count, CancellationToken cancellationToken)
    {
        // A max-heap of the kept entries: the largest kept id is the first to give way to a smaller one.
        var kept = new PriorityQueue<AuditEntry, string>(count + 1, Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a)));
        await foreach (var entry in store.ListPartitionAsync<AuditEntry>(partition, cancellationToken))
        {
            if (string.CompareOrdinal(entry.Id, after) <= 0)
            {
                continue;
            }

            kept.Enqueue(entry, entry.Id);
            if (kept.Count > count)
            {
                kept.Dequeue();
            }
        }

        return [.. kept.UnorderedItems.Select(i => i.Element).OrderBy(e => e.Id, StringComparer.Ordinal)];
    }

    private async Task<List<string>> DaysNewestFirstAsync(string scope, CancellationToken cancellationToken) =>
        (await store.ListPartitionAsync<AuditDay>(AuditPartitions.DaysPartition(scope), cancellationToken).ToListAsync(cancellationToken))
            .Select(d => d.Id)
            .OrderDescending(StringComparer.Ordinal)
            .ToList();
}
