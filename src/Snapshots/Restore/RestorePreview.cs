namespace Snapshots.Restore;

/// <summary>
/// What a restore would do, computed by a dry run that writes nothing: the report the restore would end with, the
/// bytes it would upload, what it would leave out and why, and why it would be refused.
/// </summary>
public sealed record RestorePreview
{
    public bool DryRun { get; init; } = true;

    public required string Identifier { get; init; }

    public string? SnapshotId { get; init; }

    /// <summary>The project merged into, or null for a restore into a new project.</summary>
    public string? TargetProjectId { get; init; }

    public bool Merge => TargetProjectId is not null;

    /// <summary>The documents a selective restore would restore (categories as ids); absent for all.</summary>
    public Selection.ResolvedSelection? Selection { get; init; }

    /// <summary>Whether the restore, started now, would be refused or fail; <see cref="Refusals"/> says why.</summary>
    public bool Refused => Refusals.Count > 0;

    public List<string> Refusals { get; init; } = [];

    /// <summary>The report the restore would end with, field by field; null when the archive itself is refused.</summary>
    public RestoreReport? Report { get; init; }

    /// <summary>Bytes of the files the restore would upload.</summary>
    public long Bytes { get; init; }

    public List<LeftOutEntity> LeftOut { get; init; } = [];

    /// <summary>Files in the archive the restore would not upload (a merge's project files, left-out AIs' model files).</summary>
    public int FilesLeftOut { get; init; }

    public long BytesLeftOut { get; init; }
}

/// <summary>An entity of the archive that the restore leaves out, and why.</summary>
public sealed record LeftOutEntity(string Kind, string Name, string Reason);
