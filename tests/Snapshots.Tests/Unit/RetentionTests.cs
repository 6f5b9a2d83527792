using Snapshots.Backups;
using Snapshots.Records;

namespace Snapshots.Tests.Unit;

public sealed class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Keep_last_keeps_the_newest()
    {
        var snapshots = Daily(10);

        var keep = Retention.Keep(snapshots, new RetentionRules(KeepLast: 3));

        Assert.Equal(["d7", "d8", "d9"], keep.Order());
    }

    [Fact]
    public void Daily_weekly_and_monthly_keep_the_newest_of_each_bucket()
    {
        var snapshots = Daily(45).Concat([Snapshot("d44-late", Start.AddDays(44).AddHours(5))]).ToList();

        var daily = Retention.Keep(snapshots, new RetentionRules(Daily: 2));
        var weekly = Retention.Keep(snapshots, new RetentionRules(Weekly: 2));
        var monthly = Retention.Keep(snapshots, new RetentionRules(Monthly: 2));

        Assert.Equal(["d43", "d44-late"], daily.Order());
        Assert.Equal(2, weekly.Count);
        Assert.Contains("d44-late", weekly);
        Assert.Equal(["d30", "d44-late"], monthly.Order()); // 2026-03-31 is the newest of March
    }

    [Fact]
    public void Rules_combine_and_no_rules_keep_everything()
    {
        var snapshots = Daily(10);

        Assert.Equal(10, Retention.Keep(snapshots, new RetentionRules()).Count);
        Assert.Equal(["d30", "d43", "d44"], Retention.Keep(Daily(45), new RetentionRules(KeepLast: 2, Monthly: 2)).Order());
    }

    [Theory]
    [InlineData("0 2 * * *", null)]
    [InlineData("30 0 2 * * *", null)]
    [InlineData("0 2 * *", "5 fields")]
    [InlineData("0 25 * * *", "not a valid cron")]
    [InlineData("", "required")]
    public void Schedules_are_validated(string schedule, string? error)
    {
        var result = BackupSchedules.Validate(schedule);

        if (error is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(error, result);
        }
    }

    [Fact]
    public void The_latest_due_occurrence_is_taken_and_none_before_the_policy_was_set()
    {
        var policy = new BackupPolicy { Modes = [SnapshotMode.Ai], Schedule = "0 2 * * *", EffectiveFrom = Start.AddHours(-1) };

        Assert.Equal(Start, BackupScheduler.LatestOccurrence(policy, Start.AddMinutes(5)));
        Assert.Equal(Start.AddDays(1), BackupScheduler.LatestOccurrence(policy, Start.AddDays(1).AddHours(3)));
        Assert.Null(BackupScheduler.LatestOccurrence(policy with { EffectiveFrom = Start.AddMinutes(1) }, Start.AddMinutes(5)));
    }

    private static List<SnapshotRecord> Daily(int days) =>
        Enumerable.Range(0, days).Select(day => Snapshot($"d{day}", Start.AddDays(day))).ToList();

    private static SnapshotRecord Snapshot(string id, DateTimeOffset scheduledFor) => new()
    {
        Id = id,
        Identifier = "snp-" + id,
        ProjectId = "p",
        ProjectName = "p",
        Modes = [SnapshotMode.Ai],
        Status = SnapshotStatus.Created,
        Scheduled = true,
        ScheduledFor = scheduledFor,
    };
}
