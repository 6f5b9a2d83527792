using Microsoft.Extensions.Logging;
using NCrontab;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Restore;

namespace Snapshots.Backups;

/// <summary>What one tick did.</summary>
public sealed record TickResult(int Started, int Pruned, int Verifications = 0);

/// <summary>What a tick starts through the host's durable client; each start is a no-op when its instance exists.</summary>
public interface IScheduledStarts
{
    Task StartSnapshotAsync(CreateSnapshotRequest request);

    Task StartVerificationAsync(Verification.VerifySnapshotRequest request);

    /// <summary>Raises an event for the project's webhooks (its id makes a second raise deliver nothing new).</summary>
    Task NotifyAsync(Webhooks.WebhookEvent raised);
}

/// <summary>
/// One scheduler tick: for every enabled policy, start the snapshot of the latest due occurrence (once: its id is
/// deterministic, so repeated ticks and concurrent instances start it once) and prune by retention through the
/// normal delete path, never deleting a snapshot an unfinished restore is reading; and verify the most recent
/// created snapshot when the policy's verify schedule is due (once per occurrence).
/// </summary>
public sealed class BackupScheduler(
    ProjectStore store, SnapshotStore snapshots, SnapshotService service, Verification.SnapshotVerifier verifier, ILogger<BackupScheduler> logger)
{
    /// <summary>How far back a missed occurrence is still taken (after downtime); older ones are skipped.</summary>
    public static readonly TimeSpan CatchUpWindow = TimeSpan.FromDays(2);

    public async Task<TickResult> TickAsync(DateTimeOffset now, IScheduledStarts starts, CancellationToken cancellationToken)
    {
        int started = 0, pruned = 0, verifications = 0;
        await foreach (var entry in store.ListPartitionAsync<BackupPolicyIndexEntry>(BackupPolicyIndexEntry.Partition, cancellationToken))
        {
            var policy = await store.GetAsync<BackupPolicy>(entry.Id, BackupPolicy.PolicyId, cancellationToken);
            if (policy is not { Enabled: true })
            {
                continue;
            }

            try
            {
                if (LatestOccurrence(policy, now) is { } due)
                {
                    var start = await service.StartScheduledAsync(entry.Id, policy.Modes, due, cancellationToken);
                    if (start.Request is { } request)
                    {
                        await starts.StartSnapshotAsync(request);
                        BackupLog.Started(logger, entry.Id, request.SnapshotId, due);
                        started++;
                    }
                    else if (start.Skipped)
                    {
                        await starts.NotifyAsync(new Webhooks.WebhookEvent(
                            $"skipped-{start.SnapshotId}", Webhooks.WebhookEvents.BackupSkipped, entry.Id, start.SnapshotId, now));
                    }
                }

                pruned += await PruneAsync(entry.Id, policy.Retention, cancellationToken);
                verifications += await VerifyIfDueAsync(entry.Id, policy, now, starts, cancellationToken) ? 1 : 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One project's trouble must not stop the others' backups.
                BackupLog.Failed(logger, ex, entry.Id, ex.Message);
            }
        }

        return new TickResult(started, pruned, verifications);
    }

    /// <summary>The policy's latest backup occurrence (see the overload).</summary>
    public static DateTimeOffset? LatestOccurrence(BackupPolicy policy, DateTimeOffset now) => LatestOccurrence(policy.Schedule, policy.EffectiveFrom, now);

    /// <summary>The latest occurrence of <paramref name="expression"/> in (max(effective-from, now - catch-up window), now], if any.</summary>
    public static DateTimeOffset? LatestOccurrence(string expression, DateTimeOffset effectiveFrom, DateTimeOffset now)
    {
        var schedule = BackupSchedules.Parse(expression);
        var start = effectiveFrom > now - CatchUpWindow ? effectiveFrom : now - CatchUpWindow;
        DateTime? latest = null;
        foreach (var occurrence in schedule.GetNextOccurrences(start.UtcDateTime, now.UtcDateTime.AddTicks(1)))
        {
            latest = occurrence;
        }

        return latest is null ? null : new DateTimeOffset(DateTime.SpecifyKind(latest.Value, DateTimeKind.Utc));
    }

    /// <summary>
    /// Starts the verification of the project's most recent created snapshot for the verify schedule's latest
    /// occurrence, then marks the occurrence done. The verification id comes from the occurrence, so a tick that
    /// stopped between the two starts the same verification again, which changes nothing.
    /// </summary>
    private async Task<bool> VerifyIfDueAsync(string projectId, BackupPolicy policy, DateTimeOffset now, IScheduledStarts starts, CancellationToken cancellationToken)
    {
        if (policy.Verify is not { } verify || LatestOccurrence(verify.Schedule, policy.EffectiveFrom, now) is not { } due || policy.VerifiedFor == due)
        {
            return false;
        }

        var latest = await snapshots.ListAllAsync(projectId, cancellationToken)
            .Where(s => s.Status == SnapshotStatus.Created)
            .MaxByAsync(s => s.CreatedAt, comparer: null, cancellationToken);
        if (latest is not null)
        {
            var (_, request) = await verifier.StartAsync(latest, verify.Mode, cancellationToken, $"verify-{latest.Id}-{due.UtcDateTime:yyyyMMddHHmmss}");
            await starts.StartVerificationAsync(request);
            BackupLog.VerificationStarted(logger, projectId, latest.Id, verify.Mode, due);
        }

        await store.UpdateAsync<BackupPolicy>(projectId, BackupPolicy.PolicyId, p => p.VerifiedFor == due ? null : p with { VerifiedFor = due }, cancellationToken);
        return latest is not null;
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

    public static string? Validate(string? expression, string field = "schedule")
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return $"'{field}' is required: a cron expression in UTC, e.g. \"0 2 * * *\" for 02:00 every day.";
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            return $"'{field}' must have 5 fields (minute hour day month weekday) or 6 (with seconds first); \"{expression}\" has {fields}.";
        }

        return CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 }) is null
            ? $"'{field}' \"{expression}\" is not a valid cron expression."
            : null;
    }
}
