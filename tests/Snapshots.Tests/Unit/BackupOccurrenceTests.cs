using Snapshots.Backups;
using Snapshots.Records;

namespace Snapshots.Tests.Unit;

/// <summary>A tick at or after an occurrence takes that occurrence, never the one before or the next minute's.</summary>
public sealed class BackupOccurrenceTests
{
    private static readonly BackupPolicy EveryMinute = new()
    {
        Modes = [SnapshotMode.Dataset],
        Schedule = "* * * * *",
        EffectiveFrom = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero),
    };

    private static readonly DateTimeOffset Occurrence = new(2026, 12, 1, 8, 26, 0, TimeSpan.Zero);

    [Fact]
    public void A_tick_exactly_at_the_occurrence_takes_it() =>
        Assert.Equal(Occurrence, BackupScheduler.LatestOccurrence(EveryMinute, Occurrence));

    [Fact]
    public void A_tick_one_second_after_takes_it() =>
        Assert.Equal(Occurrence, BackupScheduler.LatestOccurrence(EveryMinute, Occurrence.AddSeconds(1)));

    [Fact]
    public void A_tick_a_moment_before_takes_the_previous_one() =>
        Assert.Equal(Occurrence.AddMinutes(-1), BackupScheduler.LatestOccurrence(EveryMinute, Occurrence.AddMilliseconds(-1)));

    [Fact]
    public void A_nightly_backup_is_taken_by_the_tick_at_two_not_at_one_past()
    {
        var nightly = EveryMinute with { Schedule = "0 2 * * *" };
        var two = new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero);

        Assert.Equal(two, BackupScheduler.LatestOccurrence(nightly, two));
    }
}
