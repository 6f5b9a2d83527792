namespace Snapshots.Projects;

/// <summary>
/// The publication state of a project, kept on its record so that publishing a restore is one point write:
/// a restore's items carry its id and become visible, all at once, when that id joins <see cref="Published"/>.
/// </summary>
public sealed record ProjectPublication
{
    /// <summary>Counts publishes; a reader that fixes it (a snapshot export) sees no restore published later.</summary>
    public long Generation { get; init; }

    /// <summary>Published restores whose items still carry their restore id (folded in afterwards, then removed here).</summary>
    public List<PublishedRestore> Published { get; init; } = [];

    /// <summary>The restore that writes into the project now: one at a time per target.</summary>
    public string? ActiveRestoreId { get; init; }

    /// <summary>
    /// The active restore was asked to cancel: its publish is refused. The cancel and the publish both write this
    /// record with its ETag, so exactly one of them wins.
    /// </summary>
    public string? CancelledRestoreId { get; init; }
}

public sealed record PublishedRestore(string RestoreId, long Generation);

/// <summary>
/// What a read of a project's items sees: items no restore staged (or folded in at or before
/// <see cref="Generation"/>), and items of the restores in <see cref="Published"/>. Everything else is a staged
/// item of an unfinished, failed or cancelled restore, or of one published after the reader fixed its view.
/// </summary>
public sealed record Visibility(long Generation, IReadOnlyList<string> Published)
{
    /// <summary>What the project shows now.</summary>
    public static Visibility Of(Project project) => AsOf(project, project.Publication?.Generation ?? 0);

    /// <summary>What the project showed when its publication generation was <paramref name="generation"/>.</summary>
    public static Visibility AsOf(Project project, long generation) => new(
        generation,
        (project.Publication?.Published ?? []).Where(p => p.Generation <= generation).Select(p => p.RestoreId).ToList());
}
