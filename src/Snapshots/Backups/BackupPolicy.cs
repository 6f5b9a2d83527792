using System.Text.Json;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Backups;

/// <summary>How many scheduled snapshots to keep: the newest N, and/or the newest of each of the last days, weeks, months.</summary>
public sealed record RetentionRules(int? KeepLast = null, int? Daily = null, int? Weekly = null, int? Monthly = null)
{
    public bool KeepsEverything => KeepLast is null && Daily is null && Weekly is null && Monthly is null;
}

/// <summary>A scheduled verification: NCRONTAB in UTC, as the backup schedule, and checksums or a drill.</summary>
public sealed record VerifySchedule(string Schedule, Verification.VerificationMode Mode = Verification.VerificationMode.Checksums);

/// <summary>A project's scheduled backups: what to snapshot, when (cron, UTC), and what to keep.</summary>
public sealed record BackupPolicy : IProjectEntity
{
    public const string PolicyId = "backup";

    public string Id { get; init; } = PolicyId;

    public required IReadOnlyList<SnapshotMode> Modes { get; init; }

    /// <summary>NCRONTAB, five fields (minute precision) or six (with seconds), evaluated in UTC.</summary>
    public required string Schedule { get; init; }

    public RetentionRules Retention { get; init; } = new();

    public bool Enabled { get; init; } = true;

    /// <summary>When to verify the project's most recent created snapshot, and how; null for never.</summary>
    public VerifySchedule? Verify { get; init; }

    /// <summary>The verify schedule's latest occurrence that was started (so each occurrence runs once).</summary>
    public DateTimeOffset? VerifiedFor { get; init; }

    /// <summary>The policy applies to occurrences after this time (when it was set), never to earlier ones.</summary>
    public DateTimeOffset EffectiveFrom { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>Lists the projects that have a policy, in one partition, so a tick needs no cross-partition query.</summary>
public sealed record BackupPolicyIndexEntry : IProjectEntity
{
    public const string Partition = "_backupPolicies";

    public required string Id { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}
