using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Snapshots.Projects;

namespace Snapshots.Audit;

/// <summary>
/// Stores audit entries. A failure to record is logged and swallowed: the call it describes has already happened
/// (or been refused), and failing its answer for the log's sake would report a write as failed that took place.
/// </summary>
public sealed partial class AuditRecorder(ProjectStore store, ILogger<AuditRecorder> logger)
{
    /// <summary>How long an entry's writes may take in all before it is given up (and logged), so none piles up while Cosmos DB is away.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Scope-days whose day marker (and scope item) this instance has written: one extra write per scope and day, not per entry.</summary>
    private readonly ConcurrentDictionary<string, byte> markedDays = new(StringComparer.Ordinal);

    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(WriteTimeout);
        var cancellationToken = timeout.Token;
        try
        {
            var day = AuditPartitions.DayOf(entry.At);
            // Markers before the entry: an entry no day marker lists would never be paged or pruned.
            var key = $"{entry.ProjectId}:{day}";
            if (!markedDays.ContainsKey(key))
            {
                await store.UpsertAsync(AuditPartitions.ScopesPartition, new AuditScope { Id = entry.ProjectId }, cancellationToken);
                await store.UpsertAsync(AuditPartitions.DaysPartition(entry.ProjectId), new AuditDay { Id = day }, cancellationToken);
                ForgetOtherDays(day);
                markedDays.TryAdd(key, 0);
            }

            await store.UpsertAsync(AuditPartitions.EntriesPartition(entry.ProjectId, day), entry, cancellationToken);
        }
        catch (Exception ex)
        {
            LogNotRecorded(logger, entry.Operation, entry.Status, entry.ProjectId, ex);
        }
    }

    /// <summary>Keeps the cache to one day's scopes, so it stays as small as the number of scopes active in a day.</summary>
    private void ForgetOtherDays(string day)
    {
        foreach (var old in markedDays.Keys.Where(k => !k.EndsWith(":" + day, StringComparison.Ordinal)))
        {
            markedDays.TryRemove(old, out _);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "The audit entry of {Operation} ({Status}) in scope {Scope} was not recorded")]
    private static partial void LogNotRecorded(ILogger logger, string operation, int status, string scope, Exception exception);
}
