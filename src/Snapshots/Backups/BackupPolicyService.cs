using Snapshots.Create;
using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Backups;

/// <summary>Reads, writes and removes a project's backup policy, keeping the policy index in step.</summary>
public sealed class BackupPolicyService(ProjectStore store, TimeProvider clock)
{
    public Task<BackupPolicy?> GetAsync(string projectId, CancellationToken cancellationToken) =>
        store.GetAsync<BackupPolicy>(projectId, BackupPolicy.PolicyId, cancellationToken);

    public async Task<BackupPolicy> SetAsync(
        string projectId, IReadOnlyList<SnapshotMode>? modes, string? schedule, RetentionRules? retention, bool enabled, CancellationToken cancellationToken, VerifySchedule? verify = null)
    {
        if (await store.GetAsync<Project>(projectId, projectId, cancellationToken) is not { Status: ProjectStatus.Ready })
        {
            throw new NotFoundException($"No project with id '{projectId}'.");
        }

        var distinctModes = (modes ?? []).Distinct().Order().ToList();
        if (distinctModes.Count == 0)
        {
            throw new InvalidRequestException("Choose at least one mode: \"dataset\", \"ai\" or both.");
        }

        if (BackupSchedules.Validate(schedule) is { } scheduleError)
        {
            throw new InvalidRequestException(scheduleError);
        }

        if (verify is not null && BackupSchedules.Validate(verify.Schedule, "verify.schedule") is { } verifyError)
        {
            throw new InvalidRequestException(verifyError);
        }

        retention ??= new RetentionRules();
        if (new[] { retention.KeepLast, retention.Daily, retention.Weekly, retention.Monthly }.Any(n => n is < 1))
        {
            throw new InvalidRequestException("Retention counts (keepLast, daily, weekly, monthly) are whole numbers of at least 1, or left out.");
        }

        var now = clock.GetUtcNow();
        var policy = new BackupPolicy
        {
            Modes = distinctModes, Schedule = schedule!.Trim(), Retention = retention, Enabled = enabled, EffectiveFrom = now, UpdatedAt = now,
            Verify = verify is null ? null : verify with { Schedule = verify.Schedule.Trim() },
        };
        await store.UpsertAsync(projectId, policy, cancellationToken);
        await store.UpsertAsync(BackupPolicyIndexEntry.Partition, new BackupPolicyIndexEntry { Id = projectId }, cancellationToken);
        return policy;
    }

    public async Task<bool> DeleteAsync(string projectId, CancellationToken cancellationToken)
    {
        await store.DeleteAsync<BackupPolicyIndexEntry>(BackupPolicyIndexEntry.Partition, projectId, cancellationToken);
        return await store.DeleteAsync<BackupPolicy>(projectId, BackupPolicy.PolicyId, cancellationToken);
    }
}
