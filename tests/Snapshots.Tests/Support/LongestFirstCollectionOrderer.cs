using Snapshots.Tests.Reliability;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Snapshots.Tests.Support.LongestFirstCollectionOrderer", "Snapshots.Tests")]

namespace Snapshots.Tests.Support;

/// <summary>
/// xunit starts at most <c>maxParallelThreads</c> collections at a time, in the order given here: the longest chains
/// first (as measured in the suite's runs), then the rest by name. In xunit's own order a long chain could start
/// last and run alone for minutes after everything else had finished.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest =
    [
        RestoreSafetyTestGroup.Name, AccessTestGroup.Name, RestorePlanningTestGroup.Name, UploadTestGroup.Name,
        nameof(CreateAndRestoreKillTests), nameof(ImportKillTests), ServiceTestGroup.Name, nameof(RestartTests),
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    // A class without a collection of its own is in "Test collection for <its full name>".
    private static int Rank(ITestCollection collection)
    {
        var rank = Array.FindIndex(Longest, name => collection.DisplayName == name || collection.DisplayName.EndsWith("." + name, StringComparison.Ordinal));
        return rank < 0 ? Longest.Length : rank;
    }
}
