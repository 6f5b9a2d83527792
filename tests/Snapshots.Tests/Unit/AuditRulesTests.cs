using Snapshots.Audit;
using Snapshots.Functions.Audit;

namespace Snapshots.Tests.Unit;

public sealed class AuditRulesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("203.0.113.7:4711, 10.0.0.1", "203.0.113.7, 10.0.0.1")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("Bearer eyJhbGciOi, 198.51.100.2", "198.51.100.2")]
    [InlineData("anything a caller writes", null)]
    [InlineData("", null)]
    public void Only_addresses_of_x_forwarded_for_are_kept(string header, string? kept) =>
        Assert.Equal(kept, HttpAudit.ForwardedAddresses(header));

    [Fact]
    public void A_call_remembers_each_project_it_was_let_at_once_in_order()
    {
        var context = new AuditContext();

        context.RememberProject("source");
        context.RememberProject("target");
        context.RememberProject("source");

        Assert.Equal("source", context.ProjectId);
        Assert.Equal(["source", "target"], context.ProjectIds);
    }

    [Fact]
    public void Entry_ids_sort_newest_first_and_never_collide()
    {
        var older = AuditPartitions.EntryId(Noon, Guid.NewGuid());
        var newer = AuditPartitions.EntryId(Noon.AddTicks(1), Guid.NewGuid());
        var sameTick = AuditPartitions.EntryId(Noon.AddTicks(1), Guid.NewGuid());

        Assert.True(string.CompareOrdinal(newer, older) < 0);
        Assert.NotEqual(newer, sameTick);
        Assert.Equal(19 + 1 + 32, older.Length);
    }

    [Theory]
    [InlineData("2026-12-02T00:30:00+02:00", "20261201")]
    [InlineData("2026-12-02T23:59:59+00:00", "20261202")]
    public void Entries_are_partitioned_by_their_utc_day(string at, string day)
    {
        Assert.Equal(day, AuditPartitions.DayOf(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal($"_audit:p1:{day}", AuditPartitions.EntriesPartition("p1", day));
        Assert.Equal("_audit-days:p1", AuditPartitions.DaysPartition("p1"));
    }

    [Theory]
    [InlineData("20260902", true)]
    [InlineData("20260903", false)]
    [InlineData("20261202", false)]
    public void A_day_goes_only_once_all_of_it_is_older_than_the_retention(string day, bool expired)
    {
        // 90 days before noon on 2 December is noon on 3 September: the 2nd has ended by then, the 3rd has not.
        Assert.Equal(expired, AuditPartitions.IsExpired(day, Noon, 90));
    }

    [Fact]
    public void A_page_token_reads_back_as_written_and_a_foreign_one_is_refused()
    {
        var token = new AuditPageToken("20261202", AuditPartitions.EntryId(Noon, Guid.NewGuid()));

        Assert.True(AuditPageToken.TryDecode(token.Encode(), out var decoded));
        Assert.Equal(token, decoded);
        Assert.True(AuditPageToken.TryDecode(null, out var none));
        Assert.Null(none);
        Assert.DoesNotContain('=', token.Encode());
        Assert.False(AuditPageToken.TryDecode("not-ours!", out _));
        Assert.False(AuditPageToken.TryDecode(new AuditPageToken("2026-12", "x").Encode(), out _));
    }

    [Theory]
    [InlineData(200, AuditOutcome.Succeeded)]
    [InlineData(304, AuditOutcome.Succeeded)]
    [InlineData(401, AuditOutcome.Refused)]
    [InlineData(403, AuditOutcome.Refused)]
    [InlineData(404, AuditOutcome.Failed)]
    [InlineData(500, AuditOutcome.Failed)]
    public void The_outcome_follows_the_status(int status, AuditOutcome outcome) => Assert.Equal(outcome, AuditEntry.OutcomeOf(status));

    [Theory]
    [InlineData("GET", 200, false)]
    [InlineData("HEAD", 404, false)]
    [InlineData("GET", 401, true)]
    [InlineData("OPTIONS", 403, true)]
    [InlineData("POST", 202, true)]
    [InlineData("DELETE", 404, true)]
    public void Writes_and_refusals_are_recorded_successful_reads_are_not(string method, int status, bool recorded) =>
        Assert.Equal(recorded, HttpAudit.IsRecorded(method, status));

    [Fact]
    public void Route_parameters_are_read_from_the_template()
    {
        Assert.Equal(["projectId"], HttpAudit.RouteParameters("projects/{projectId}/snapshots"));
        Assert.Equal(["snapshotId", "rest"], HttpAudit.RouteParameters("snapshots/{snapshotId:minlength(1)}/{*rest}"));
        Assert.Empty(HttpAudit.RouteParameters(null));
    }
}
