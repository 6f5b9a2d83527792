using Snapshots.Compare;
using Snapshots.Verification;

namespace Snapshots.Tests.Unit;

public sealed class DrillFindingsTests
{
    private static KindComparison Same => new(0, 0, 0, [], [], []);

    [Fact]
    public void An_identical_restore_passes()
    {
        var outcome = DrillFindings.From(new SnapshotComparison("s", "project", new() { ["documents"] = Same, ["labels"] = Same }));

        Assert.True(outcome.Ok);
        Assert.Empty(outcome.Failures);
    }

    [Fact]
    public void Missing_changed_and_extra_entities_each_fail_naming_them()
    {
        var comparison = new SnapshotComparison("s", "project", new()
        {
            ["documents"] = new KindComparison(Added: 0, Removed: 7, Changed: 0, [], ["a.pdf", "b.pdf"], []),
            ["annotations"] = new KindComparison(Added: 1, Removed: 0, Changed: 2, ["d1/x"], [], ["d1/a1", "d2/a9"]),
            ["labels"] = Same,
        });

        var outcome = DrillFindings.From(comparison);

        Assert.False(outcome.Ok);
        Assert.Equal(
            [
                "documents: 7 in the archive but not restored: 'a.pdf', 'b.pdf', ...",
                "annotations: 2 restored with different content: 'd1/a1', 'd2/a9'",
                "annotations: 1 restored but not in the archive: 'd1/x'",
            ],
            outcome.Failures);
    }

    [Fact]
    public void Steps_add_their_entries_and_keep_the_first_failures()
    {
        var checksums = new VerificationOutcome(true, [], 120);
        var drill = VerificationOutcome.Failed([.. Enumerable.Range(0, 30).Select(i => $"failure {i}")]);

        var both = checksums.Then(drill);

        Assert.False(both.Ok);
        Assert.Equal(120, both.Entries);
        Assert.Equal(VerificationOutcome.MaxFailures, both.Failures.Count);
        Assert.Equal("failure 0", both.Failures[0]);
    }
}
