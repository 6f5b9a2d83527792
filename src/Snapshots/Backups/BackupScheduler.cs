using Microsoft.Extensions.Logging;
using NCrontab;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Backups;

/// <summary>What one tick did.</summary>
public sealed record TickResult(int Started, int Pruned);

/// <summary>
/// One scheduler tick: for every enabled policy, start the snapshot of the latest due occurrence (once: its id is
/// deterministic, so repeated ticks and concurrent instances start it once) and prune by retention through the
/// normal delete path, never deleting a snapshot an unfinished restore is reading.
/// </summary>
public sealed class BackupScheduler(
    ProjectStore store, SnapshotStore snapshots, SnapshotService service, ILogger<BackupScheduler> logger)
{
    /// <summary>How far back a missed occurrence is still taken (after downtime); older ones are skipped.</summary>
    public static readonly TimeSpan CatchUpWindow = TimeSpan.FromDays(2);

    public async Task<TickResult> TickAsync(DateTimeOffset now, Func<CreateSnapshotRequest, Task> startOrchestration, CancellationToken cancellationToken)
    {
        int started = 0, pruned = 0;
        await foreach (var entry in store.ListPartitionAsync<BackupPolicyIndexEntry>(BackupPolicyIndexEntry.Partition, cancellationToken))
        {
            var policy = await store.GetAsync<BackupPolicy>(entry.Id, BackupPolicy.PolicyId, cancellationToken);
            if (policy is not { Enabled: true })
            {
                continue;
            }

            try
            {
                if (LatestOccurrence(policy, now) is { } due
                    && await service.StartScheduledAsync(entry.Id, policy.Modes, due, cancellationToken) is { } request)
                {
                    await startOrchestration(request);
                    BackupLog.Started(logger, entry.Id, request.SnapshotId, due);
                    started++;
                }

                pruned += await PruneAsync(entry.Id, policy.Retention, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One project's trouble must not stop the others' backups.
                BackupLog.Failed(logger, ex, entry.Id, ex.Message);
            }
        }

        return new TickResult(started, pruned);
    }

    /// <summary>The latest occurrence in (max(effective-from, now - catch-up window), now], if any.</summary>
    public static DateTimeOffset? LatestOccurrence(BackupPolicy policy, DateTimeOffset now)
    {
        var schedule = BackupSchedules.Parse(policy.Schedule);
        var start = policy.EffectiveFrom > now - CatchUpWindow ? policy.EffectiveFrom : now - CatchUpWindow;
        DateTime? latest = null;
        foreach (var occurrence in schedule.GetNextOccurrences(start.UtcDateTime, now.UtcDateTime.AddTicks(1)))
        {
            latest = occurrence;
        }

        return latest is null ? null : new DateTimeOffset(DateTime.SpecifyKind(latest.Value, DateTimeKind.Utc));
    }

    private async Task<int> PruneAsync(string projectId, RetentionRules rules, CancellationToken cancellationToken)
    {
        var created = new List<SnapshotRecord>();
        await foreach (var snapshot in snapshots.ListAllAsync(projectId, cancellationToken))
        {
            if (snapshot is { Scheduled: true, Status: SnapshotStatus.Created })
            {
                created.Add(snapshot);
            }
        }

        var keep = Retention.Keep(created, rules);
        var pruned = 0;
        foreach (var snapshot in created.Where(s => !keep.Contains(s.Id)))
        {
            // The mark is in the snapshot storage, so restores of other environments sharing it count too.
            if (await service.ReaderOfAsync(snapshot, cancellationToken) is { } reader)
            {
                BackupLog.KeptWhileRead(logger, snapshot.Id, projectId, reader);
                continue;
            }

            await service.DeleteAsync(snapshot, cancellationToken);
            BackupLog.Pruned(logger, projectId, snapshot.Id, snapshot.CreatedAt, snapshot.Bytes);
            pruned++;
        }

        return pruned;
    }
}

/// <summary>Backup schedules are NCRONTAB: five fields, or six with seconds first (as in Functions timer triggers).</summary>
public static class BackupSchedules
{
    public static CrontabSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
    }

    public static string? Validate(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "'schedule' is required: a cron expression in UTC, e.g. \"0 2 * * *\" for 02:00 every day.";
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            return $"'schedule' must have 5 fields (minute hour day month weekday) or 6 (with seconds first); \"{expression}\" has {fields}.";
        }

        return CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 }) is null
            ? $"'schedule' \"{expression}\" is not a valid cron expression."
            : null;
    }
}
