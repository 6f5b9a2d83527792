using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Backups;
using Snapshots.Functions.Backups;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Restore;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>The scheduler driven through several days by a fake clock: each tick is called with the time it is.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class ScheduledBackupTests(ServiceFixture service)
{
    // Ticks happen on days after today, so the policy (effective from now) applies to all of them.
    private static readonly DateTimeOffset FirstRun = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(2).AddSeconds(30);

    private BackupScheduler Scheduler => service.Services.GetRequiredService<BackupScheduler>();

    [Fact]
    public async Task Each_day_takes_one_snapshot_and_retention_keeps_exactly_the_newest()
    {
        var projectId = await SeedAsync();
        await PutPolicyAsync(projectId, new { modes = new[] { "ai" }, schedule = "0 2 * * *", retention = new { keepLast = 2 } });

        for (var day = 0; day < 4; day++)
        {
            var now = FirstRun.AddDays(day);
            // Other tests' policies share the environment (and may be due too): count this project's snapshots.
            await TickAsync(now);
            await WaitUntilCreatedAsync(projectId, now.AddSeconds(-30));
            await TickAsync(now);

            Assert.Single(await ScheduledAsync(projectId), s => s.ScheduledFor == now.AddSeconds(-30));
            var kept = await ScheduledAsync(projectId);
            Assert.Equal(Enumerable.Range(Math.Max(0, day - 1), Math.Min(day + 1, 2)).Select(d => FirstRun.AddDays(d).AddSeconds(-30)),
                kept.Where(s => s.Status == SnapshotStatus.Created).Select(s => s.ScheduledFor!.Value).Order());
        }
    }

    [Fact]
    public async Task A_failed_scheduled_snapshot_is_recorded_and_the_next_run_succeeds()
    {
        var projectId = (await (await service.Http.PostAsJsonAsync("/api/projects", new { name = "nothing to back up yet" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await PutPolicyAsync(projectId, new { modes = new[] { "dataset" }, schedule = "0 2 * * *" });

        await TickAsync(FirstRun);
        var failed = Assert.Single(await ScheduledAsync(projectId));
        Assert.Equal(SnapshotStatus.Failed, failed.Status);
        Assert.Contains("Training or Test", failed.FailureReason);

        await service.Services.GetRequiredService<ProjectStore>().UpsertAsync(projectId,
            new Document { Id = "d1", Name = "invoice.pdf", DatasetStatus = DatasetStatus.Training }, default);
        await TickAsync(FirstRun.AddDays(1));
        await WaitUntilCreatedAsync(projectId, FirstRun.AddDays(1).AddSeconds(-30));

        var all = await ScheduledAsync(projectId);
        Assert.Equal([SnapshotStatus.Failed, SnapshotStatus.Created], all.OrderBy(s => s.ScheduledFor).Select(s => s.Status));
        var listed = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/snapshots");
        Assert.All(listed.GetProperty("items").EnumerateArray(), s => Assert.True(s.GetProperty("scheduled").GetBoolean()));
        Assert.Equal(all.Select(s => s.ScheduledFor!.Value).OrderDescending(),
            listed.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("scheduledFor").GetDateTimeOffset()).OrderDescending());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retention_never_deletes_a_snapshot_a_restore_of_any_environment_is_reading(bool markExpired)
    {
        var projectId = await SeedAsync();
        await PutPolicyAsync(projectId, new { modes = new[] { "ai" }, schedule = "0 2 * * *", retention = new { keepLast = 1 } });
        await TickAsync(FirstRun);
        var oldest = await WaitUntilCreatedAsync(projectId, FirstRun.AddSeconds(-30));
        // A restore in another environment sharing the snapshot storage: nothing of it is in this environment's
        // Cosmos; its mark on the archive is all there is.
        await service.Services.GetRequiredService<SnapshotBlobs>().MarkReaderAsync(oldest.Identifier, "restore-elsewhere",
            DateTimeOffset.UtcNow + (markExpired ? TimeSpan.FromMinutes(-1) : TimeSpan.FromHours(1)), default);

        await TickAsync(FirstRun.AddDays(1));
        await WaitUntilCreatedAsync(projectId, FirstRun.AddDays(1).AddSeconds(-30));
        await TickAsync(FirstRun.AddDays(1));

        Assert.Equal(markExpired ? 1 : 2, (await ScheduledAsync(projectId)).Count(s => s.Status == SnapshotStatus.Created));
    }

    [Fact]
    public async Task The_policy_api_validates_and_round_trips()
    {
        var projectId = await SeedAsync();

        var bad = await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/backup-policy", new { modes = new[] { "ai" }, schedule = "every day" });
        var good = await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/backup-policy",
            new { modes = new[] { "dataset", "ai" }, schedule = "30 1 * * 0", retention = new { daily = 7, weekly = 4 } });
        var read = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/backup-policy");
        var unknown = await service.Http.PutAsJsonAsync("/api/projects/nope/backup-policy", new { modes = new[] { "ai" }, schedule = "0 2 * * *" });
        var deleted = await service.Http.DeleteAsync($"/api/projects/{projectId}/backup-policy");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("5 fields", (await bad.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal("30 1 * * 0", read.GetProperty("schedule").GetString());
        Assert.Equal(4, read.Get("retention.weekly").GetInt32());
        Assert.True(read.GetProperty("enabled").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/projects/{projectId}/backup-policy")).StatusCode);
    }

    [Fact]
    public async Task The_timer_function_runs_through_the_local_runtime()
    {
        var response = await service.Http.PostAsync($"/admin/functions/{nameof(BackupFunctions.RunScheduledBackups)}", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.PostAsync("/admin/functions/NoSuchTimer", null)).StatusCode);
    }

    private Task<string> SeedAsync() =>
        service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(new SeedSpec { Documents = 7, AnnotationsPerDocument = 1, Ais = 3, DocumentFileBytes = 10, ModelFileBytes = 10 });

    private async Task PutPolicyAsync(string projectId, object policy)
    {
        var response = await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/backup-policy", policy);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<TickResult> TickAsync(DateTimeOffset now) => service.TickSchedulerAsync(now);

    private async Task<List<SnapshotRecord>> ScheduledAsync(string projectId) =>
        (await service.Services.GetRequiredService<SnapshotStore>().ListAllAsync(projectId, default).CollectAsync()).Where(s => s.Scheduled).ToList();

    private Task<SnapshotRecord> WaitUntilCreatedAsync(string projectId, DateTimeOffset scheduledFor) =>
        Eventually.ReturnsAsync(
            async () => (await ScheduledAsync(projectId)).SingleOrDefault(s => s.ScheduledFor == scheduledFor)!,
            s => s is { Status: not SnapshotStatus.Creating },
            TimeSpan.FromMinutes(1));
}
