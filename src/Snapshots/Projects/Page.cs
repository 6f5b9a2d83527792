namespace Snapshots.Projects;

/// <summary>One page of a listing; pass <see cref="ContinuationToken"/> back for the next, null at the end.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
