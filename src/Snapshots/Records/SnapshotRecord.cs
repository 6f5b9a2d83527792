using System.Text.Json;
using Snapshots.Projects;

namespace Snapshots.Records;

public enum SnapshotStatus
{
    Creating,
    Created,
    Failed,
}

public enum SnapshotMode
{
    Dataset,
    Ai,
}

/// <summary>Exact counts of what an archive holds (the manifest's <c>counts</c>).</summary>
public sealed record SnapshotCounts(
    int Categories = 0,
    int Labels = 0,
    int LabelSets = 0,
    int Documents = 0,
    int AnnotationSets = 0,
    int Annotations = 0,
    int Ais = 0,
    int Files = 0);

/// <summary>
/// A snapshot: an immutable saved state of a project. Only <see cref="Description"/> may change once it is created.
/// Stored in its project's partition; <see cref="SnapshotIndexEntry"/> finds it by id.
/// </summary>
public sealed record SnapshotRecord : IProjectEntity
{
    public required string Id { get; init; }

    /// <summary>Opaque, URL-safe name of the archive in the snapshot storage; shared with other environments.</summary>
    public required string Identifier { get; init; }

    public required string ProjectId { get; init; }

    public required string ProjectName { get; init; }

    public required IReadOnlyList<SnapshotMode> Modes { get; init; }

    /// <summary>The documents a selective snapshot took (categories as ids); null for the whole project.</summary>
    public Selection.ResolvedSelection? Selection { get; init; }

    public SnapshotStatus Status { get; init; }

    public string StatusText => Status switch
    {
        SnapshotStatus.Creating => "Creating snapshot ...",
        SnapshotStatus.Created => "Snapshot created",
        _ => "Snapshot failed",
    };

    public string? FailureReason { get; init; }

    /// <summary>The whole failure (the reason is its first line); not shown by the API, kept for support.</summary>
    public string? FailureDetail { get; init; }

    public string? Description { get; init; }

    public bool Scheduled { get; init; }

    /// <summary>For a scheduled snapshot, the schedule occurrence it was taken for (retention buckets by it).</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public SnapshotCounts? Counts { get; init; }

    /// <summary>Size of the archive in bytes, once created.</summary>
    public long? Bytes { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The latest verification of the stored archive; null when it was never verified.</summary>
    public Verification.SnapshotVerification? Verification { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>Finds a snapshot's project from the snapshot id alone, in a single-partition read.</summary>
public sealed record SnapshotIndexEntry : IProjectEntity
{
    public const string Partition = "_snapshots";

    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}
