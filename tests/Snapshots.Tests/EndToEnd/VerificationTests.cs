using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Backups;
using Snapshots.Functions.Backups;
using Snapshots.Projects;
using Snapshots.Restore;
using Snapshots.Tests.Support;
using Snapshots.Verification;
using Snapshots.Webhooks;

namespace Snapshots.Tests.EndToEnd;

/// <summary>A stored snapshot re-read against its manifest, or restored into a hidden project and compared; damage named.</summary>
[Collection(RestorePlanningTestGroup.Name)]
public sealed class VerificationTests(ServiceFixture service)
{
    [Fact]
    public async Task Checksums_of_the_fixture_pass_and_the_result_is_kept_on_the_snapshot()
    {
        var snapshot = await FixtureSnapshotAsync();

        var started = await service.Http.PostAsync($"/api/snapshots/{snapshot}/verify", null);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var verification = await VerifiedAsync(snapshot);
        Assert.Equal("passed", verification.GetProperty("status").GetString());
        Assert.Equal("checksums", verification.GetProperty("mode").GetString());
        // Every part and every file of the 57 documents: well over a hundred entries.
        Assert.True(verification.GetProperty("entries").GetInt32() > 100, verification.ToString());
        Assert.Empty(verification.GetProperty("failures").EnumerateArray());
        Assert.True(verification.GetProperty("durationSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task A_drill_restores_the_fixture_into_a_hidden_project_finds_it_identical_and_removes_it()
    {
        var snapshot = await FixtureSnapshotAsync();
        var projectsBefore = await service.Http.ListProjectIdsAsync();

        var started = await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshot}/verify", new { mode = "drill" });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var verification = await VerifiedAsync(snapshot, TimeSpan.FromMinutes(4));
        Assert.True(verification.GetProperty("status").GetString() == "passed", verification.ToString());
        Assert.Equal("drill", verification.GetProperty("mode").GetString());
        var request = new VerifySnapshotRequest(verification.GetProperty("id").GetString()!, snapshot, "", "", VerificationMode.Drill, default);
        Assert.Null(await Store.GetAsync<Project>(request.DrillProjectId, request.DrillProjectId, default));
        Assert.Null(await service.Services.GetRequiredService<RestoreStore>().GetAsync(request.DrillRestoreId, default));
        Assert.Equal("", await TargetState.ReadBlobsAsync(service, request.DrillProjectId));
        Assert.Equal(projectsBefore, await service.Http.ListProjectIdsAsync());
    }

    [Theory]
    [InlineData("flipped byte", "documents.ndjson")]
    [InlineData("deleted entry", "labels.ndjson")]
    public async Task A_damaged_archive_is_reported_failed_naming_the_entry(string damage, string entry)
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), $"verify {damage}");
        var created = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");
        var archive = service.Services.GetRequiredService<SnapshotBlobs>().Archive(created.GetProperty("identifier").GetString()!);
        var bytes = (await archive.DownloadContentAsync()).Value.Content.ToArray();
        var damaged = damage == "flipped byte" ? FlipByteIn(bytes, entry) : new ZipRewriter(bytes).Remove(entry).ToBytes();
        await archive.UploadAsync(new MemoryStream(damaged), new Azure.Storage.Blobs.Models.BlobUploadOptions());
        var snapshot = created.GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.Accepted, (await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshot}/verify", new { mode = "drill" })).StatusCode);

        var verification = await VerifiedAsync(snapshot);
        Assert.Equal("failed", verification.GetProperty("status").GetString());
        var failure = Assert.Single(verification.GetProperty("failures").EnumerateArray()).GetString();
        Assert.Contains(entry, failure);
    }

    [Fact]
    public async Task Verify_answers_bad_input_and_busy_snapshots_with_problems()
    {
        var snapshot = await FixtureSnapshotAsync();

        var unknownMode = await service.Http.PostAsync($"/api/snapshots/{snapshot}/verify", new StringContent("""{"mode":"quick"}""", Encoding.UTF8, "application/json"));
        var missing = await service.Http.PostAsync("/api/snapshots/no-such-snapshot/verify", null);

        Assert.Equal(HttpStatusCode.BadRequest, unknownMode.StatusCode);
        Assert.Equal("application/problem+json", unknownMode.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var gate = service.Faults.HoldOnce(snapshot, nameof(Functions.Snapshots.VerifySnapshotFunctions.CheckSnapshotChecksums));
        Assert.Equal(HttpStatusCode.Accepted, (await service.Http.PostAsync($"/api/snapshots/{snapshot}/verify", null)).StatusCode);
        await gate.Reached;
        var second = await service.Http.PostAsync($"/api/snapshots/{snapshot}/verify", null);
        gate.Release();
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("is running", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await VerifiedAsync(snapshot);
    }

    [Fact]
    public async Task A_scheduled_drill_runs_from_the_timer_once_per_occurrence()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "scheduled drill");
        var snapshot = (await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai")).GetProperty("id").GetString()!;
        // Backups on 29 February only: no backup falls due in the ticks below, so the drill verifies the snapshot above.
        var policy = await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/backup-policy",
            new { modes = new[] { "dataset" }, schedule = "0 0 29 2 *", verify = new { schedule = "0 4 * * 0", mode = "drill" } });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var sunday = NextSunday().AddHours(4).AddSeconds(30);

        var first = await TickAsync(sunday);

        Assert.True(first.Verifications >= 1);
        var verification = await VerifiedAsync(snapshot, TimeSpan.FromMinutes(3));
        Assert.True(verification.GetProperty("status").GetString() == "passed", verification.ToString());
        Assert.Equal("drill", verification.GetProperty("mode").GetString());
        Assert.True(verification.GetProperty("scheduled").GetBoolean());
        await TickAsync(sunday.AddMinutes(1));
        Assert.Equal(verification.GetProperty("id").GetString(), (await VerifiedAsync(snapshot)).GetProperty("id").GetString());
    }

    private ProjectStore Store => service.Services.GetRequiredService<ProjectStore>();

    private static DateTimeOffset NextSunday()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1);
        while (day.DayOfWeek != DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }

        return day;
    }

    private Task<TickResult> TickAsync(DateTimeOffset now) => service.TickSchedulerAsync(now);

    private static readonly Dictionary<ServiceFixture, Task<string>> Fixtures = [];

    /// <summary>One snapshot of the whole fixture per service (verifying does not change it), taken once.</summary>
    private Task<string> FixtureSnapshotAsync()
    {
        lock (Fixtures)
        {
            if (!Fixtures.TryGetValue(service, out var snapshot))
            {
                Fixtures[service] = snapshot = TakeAsync();
            }

            return snapshot;
        }

        async Task<string> TakeAsync()
        {
            var projectId = await service.ImportAsync(ExportArchives.FromFolder(RepositoryPaths.KonfuzioProject46), "verified fixture");
            return (await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai")).GetProperty("id").GetString()!;
        }
    }

    /// <summary>The snapshot's verification once it has ended.</summary>
    private async Task<JsonElement> VerifiedAsync(string snapshotId, TimeSpan? timeout = null) =>
        (await Eventually.ReturnsAsync(() => service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}"),
            s => s.TryGetProperty("verification", out var v) && v.ValueKind == JsonValueKind.Object && v.GetProperty("status").GetString() != "running",
            timeout ?? TimeSpan.FromMinutes(2))).GetProperty("verification");

    /// <summary>Inverts one byte of the stored data of <paramref name="entry"/>, found behind its local header.</summary>
    private static byte[] FlipByteIn(byte[] zip, string entry)
    {
        var damaged = (byte[])zip.Clone();
        var name = Encoding.UTF8.GetBytes(entry);
        var at = damaged.AsSpan().IndexOf(name);
        var header = at - 30;
        Assert.Equal(0x04034b50u, BitConverter.ToUInt32(damaged, header));
        var data = at + name.Length + BitConverter.ToUInt16(damaged, header + 28);
        damaged[data + 3] ^= 0xFF;
        return damaged;
    }
}
