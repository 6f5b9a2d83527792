using Snapshots.Compare;

namespace Snapshots.Verification;

/// <summary>
/// What a drill's comparison of the archive (first side) with the restored scratch project (second side) means:
/// every entity of the archive must be restored with the same content, and nothing else may appear.
/// </summary>
public static class DrillFindings
{
    public static VerificationOutcome From(SnapshotComparison comparison)
    {
        var failures = new List<string>();
        foreach (var (kind, diff) in comparison.Kinds)
        {
            Add(failures, kind, diff.Removed, "in the archive but not restored", diff.RemovedNames);
            Add(failures, kind, diff.Changed, "restored with different content", diff.ChangedNames);
            Add(failures, kind, diff.Added, "restored but not in the archive", diff.AddedNames);
        }

        return failures.Count == 0
            ? new VerificationOutcome(true, [])
            : VerificationOutcome.Failed([.. failures]);
    }

    private static void Add(List<string> failures, string kind, int count, string what, IReadOnlyList<string> names)
    {
        if (count > 0)
        {
            var named = names.Count == 0 ? "" : $": {string.Join(", ", names.Select(n => $"'{n}'"))}{(count > names.Count ? ", ..." : "")}";
            failures.Add($"{kind}: {count} {what}{named}");
        }
    }
}
