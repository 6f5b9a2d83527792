using System.Globalization;

namespace Snapshots.Audit;

/// <summary>
/// Where audit items live in the <c>projects</c> container: a partition per scope per UTC day, a day index per
/// scope and one list of scopes. Pure naming rules, so paging and pruning agree with recording.
/// </summary>
public static class AuditPartitions
{
    /// <summary>The scope of calls that name no project the caller is a member of (and of every 401).</summary>
    public const string EnvironmentScope = "_environment";

    public const string ScopesPartition = "_audit-scopes";

    public const int MaxValueLength = 200;

    public const int MaxPathLength = 1000;

    private const string DayFormat = "yyyyMMdd";

    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture);

    public static string EntriesPartition(string scope, string day) => $"_audit:{scope}:{day}";

    public static string DaysPartition(string scope) => $"_audit-days:{scope}";

    /// <summary>Inverted ticks first, so ordinal order is newest first; the guid keeps two entries of one tick apart.</summary>
    public static string EntryId(DateTimeOffset at, Guid unique) =>
        $"{(long.MaxValue - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}-{unique:N}";

    public static bool IsDay(string? value) =>
        value is { Length: 8 } && DateTime.TryParseExact(value, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// Whether a day's entries are all older than <paramref name="retentionDays"/> days at <paramref name="now"/>: a
    /// day goes once its last moment is past the retention, so nothing younger than the retention is ever pruned.
    /// </summary>
    public static bool IsExpired(string day, DateTimeOffset now, int retentionDays) =>
        string.CompareOrdinal(day, DayOf(now.AddDays(-retentionDays))) < 0;

    public static string Cut(string value, int maxLength = MaxValueLength) => value.Length <= maxLength ? value : value[..maxLength];
}
