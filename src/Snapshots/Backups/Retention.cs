using System.Globalization;
using Snapshots.Records;

namespace Snapshots.Backups;

/// <summary>
/// Which scheduled snapshots a policy keeps (grandfather-father-son): the newest <c>KeepLast</c>, plus the newest of
/// each of the last <c>Daily</c> days, <c>Weekly</c> ISO weeks and <c>Monthly</c> months that have one. A snapshot
/// kept by any rule stays. Buckets use the occurrence a snapshot was scheduled for, in UTC.
/// </summary>
public static class Retention
{
    public static IReadOnlySet<string> Keep(IEnumerable<SnapshotRecord> created, RetentionRules rules)
    {
        var newestFirst = created.OrderByDescending(s => s.ScheduledFor ?? s.CreatedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal).ToList();
        if (rules.KeepsEverything)
        {
            return newestFirst.Select(s => s.Id).ToHashSet();
        }

        var keep = new HashSet<string>();
        keep.UnionWith(newestFirst.Take(rules.KeepLast ?? 0).Select(s => s.Id));
        keep.UnionWith(NewestPerBucket(newestFirst, rules.Daily, t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        keep.UnionWith(NewestPerBucket(newestFirst, rules.Weekly, t => $"{ISOWeek.GetYear(t.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(t.UtcDateTime)}"));
        keep.UnionWith(NewestPerBucket(newestFirst, rules.Monthly, t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture)));
        return keep;
    }

    private static IEnumerable<string> NewestPerBucket(List<SnapshotRecord> newestFirst, int? buckets, Func<DateTimeOffset, string> bucketOf) =>
        newestFirst
            .GroupBy(s => bucketOf((s.ScheduledFor ?? s.CreatedAt).ToUniversalTime()))
            .Take(buckets ?? 0)
            .Select(group => group.First().Id);
}
