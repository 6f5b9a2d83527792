using Snapshots.Restore;

namespace Snapshots.Verification;

public enum VerificationMode
{
    /// <summary>Re-reads every entry of the stored archive and checks it against the manifest.</summary>
    Checksums,

    /// <summary>The checksums, then a restore into a hidden scratch project compared entity by entity with the archive.</summary>
    Drill,
}

public enum VerificationStatus
{
    Running,
    Passed,
    Failed,
}

/// <summary>The latest verification of a snapshot, kept on its record (the archive itself never changes).</summary>
public sealed record SnapshotVerification
{
    public required string Id { get; init; }

    public VerificationMode Mode { get; init; }

    public VerificationStatus Status { get; init; }

    /// <summary>Started by a backup policy's verify schedule rather than by a caller.</summary>
    public bool Scheduled { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public double? DurationSeconds { get; init; }

    /// <summary>Entries of the archive read and checked (the manifest not counted).</summary>
    public int? Entries { get; init; }

    /// <summary>The first failures, each naming the entry or entity (at most <see cref="VerificationOutcome.MaxFailures"/>).</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}

/// <summary>What a verification orchestration works on; its id is the orchestration's instance id.</summary>
public sealed record VerifySnapshotRequest(string VerificationId, string SnapshotId, string ProjectId, string Identifier, VerificationMode Mode, DateTimeOffset StartedAt, bool Scheduled = false)
{
    /// <summary>The drill's restore (and, with a prefix, its scratch project): one per verification, so a retried start finds it.</summary>
    public string DrillRestoreId => $"drill-{VerificationId}";

    public string DrillProjectId => $"drill-project-{VerificationId}";

    /// <summary>The drill's restore: into a new project, everything the archive holds, no ledger.</summary>
    public RestoreRequest DrillRestore => new(DrillRestoreId, Identifier, DrillProjectId, Merge: false, NewProject: true);
}

/// <summary>What a verification step found: ok, or the first failures.</summary>
public sealed record VerificationOutcome(bool Ok, IReadOnlyList<string> Failures, int Entries = 0)
{
    public const int MaxFailures = 20;

    public static VerificationOutcome Failed(params string[] failures) => new(false, failures.Take(MaxFailures).ToList());

    /// <summary>This step's result followed by the next one's: entries add up, failures of either count.</summary>
    public VerificationOutcome Then(VerificationOutcome next) =>
        new(Ok && next.Ok, Failures.Concat(next.Failures).Take(MaxFailures).ToList(), Entries + next.Entries);
}

public sealed record RecordVerificationRequest(VerifySnapshotRequest Verification, VerificationOutcome Outcome, DateTimeOffset CompletedAt);

/// <summary>The restore of a drill, as its orchestration is started.</summary>
public sealed record DrillStart(RestoreRequest Restore);
