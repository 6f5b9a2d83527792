using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// A dry run answers the plan of a restore and writes nothing: the plan is the report the real restore then ends
/// with, field by field, for a merge with deliberate matches and conflicts and for a new project.
/// </summary>
[Collection(RestorePlanningTestGroup.Name)]
public sealed class DryRunTests(ServiceFixture service)
{
    private const string EditedLabel = "Austellungsdatum";
    private const string RenamedLabel = "Auszahlungsbetrag";

    [Fact]
    public async Task A_merge_dry_run_writes_nothing_and_its_plan_is_the_report_of_the_merge()
    {
        var (snapshotId, zip) = await FixtureSnapshotAsync(whole: true);
        var targetId = await service.ImportAsync(ExportArchives.SmallFixtureWithEditedLabels(EditedLabel, RenamedLabel), "dry-run merge target");
        var before = await EnvironmentState.ReadSettledAsync(service.Services);

        var plan = await DryRunAsync($"/api/snapshots/{snapshotId}/restores", new { targetProjectId = targetId, dryRun = true });
        var uploaded = await service.Http.PostZipAsync($"/api/imports?name=uploaded&into={targetId}&dryRun=true", zip);

        Assert.Equal(before, await EnvironmentState.ReadAsync(service.Services));
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var uploadPlan = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        AssertSameJson(plan.GetProperty("report"), uploadPlan.GetProperty("report"));
        Assert.True(plan.GetProperty("merge").GetBoolean());
        Assert.False(plan.GetProperty("refused").GetBoolean());

        // The target's edited label is a conflict naming the property and both values; its renamed label leaves the
        // archive's to be created; everything else of the schema matches.
        var labels = plan.Get("report.labels");
        var conflict = Assert.Single(labels.GetProperty("conflicts").EnumerateArray(), c => c.GetProperty("name").GetString() == EditedLabel);
        var difference = Assert.Single(conflict.GetProperty("differences").EnumerateArray());
        Assert.Equal("description", difference.GetProperty("property").GetString());
        Assert.Equal("Edited in the target.", difference.GetProperty("target").GetString());
        Assert.Equal(FixtureLabelDescription(EditedLabel), difference.GetProperty("archive").GetString());
        var fixture = FixtureFacts.Project46;
        Assert.Equal(1, labels.GetProperty("created").GetInt32());
        Assert.Equal(fixture.Labels.Count - 1, labels.GetProperty("matched").GetInt32());
        Assert.Equal(0, plan.Get("report.categories.created").GetInt32());
        Assert.Equal((await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}")).Get("counts.documents").GetInt32(),
            plan.Get("report.documents").GetInt32());
        Assert.Contains(plan.GetProperty("leftOut").EnumerateArray(), l => l.GetProperty("kind").GetString() == "projectFile");
        Assert.True(plan.GetProperty("filesLeftOut").GetInt32() > 0);

        var restore = await service.Http.RestoreAsync(snapshotId, new { targetProjectId = targetId });

        Assert.Equal("restored", restore.GetProperty("status").GetString());
        AssertSameJson(plan.GetProperty("report"), restore.GetProperty("report"));
        Assert.Equal(plan.GetProperty("bytes").GetInt64(), restore.Get("progress.bytes.done").GetInt64());
    }

    [Fact]
    public async Task A_dry_run_into_a_new_project_creates_no_project_and_its_plan_is_the_report_of_the_restore()
    {
        var (snapshotId, _) = await FixtureSnapshotAsync();
        var snapshotDocuments = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}")).Get("counts.documents").GetInt32();
        var projects = await service.Http.ListProjectIdsAsync();

        var plan = await DryRunAsync($"/api/snapshots/{snapshotId}/restores", new { projectName = "never made", dryRun = true });

        Assert.Equal(projects, await service.Http.ListProjectIdsAsync());
        Assert.False(plan.GetProperty("merge").GetBoolean());
        Assert.Empty(plan.GetProperty("leftOut").EnumerateArray());
        var restore = await service.Http.RestoreAsync(snapshotId);
        AssertSameJson(plan.GetProperty("report"), restore.GetProperty("report"));
        Assert.Equal(plan.GetProperty("bytes").GetInt64(), restore.Get("progress.bytes.done").GetInt64());
        Assert.Equal(snapshotDocuments, restore.Get("report.documents").GetInt32());
    }

    [Fact]
    public async Task A_dry_run_of_a_damaged_upload_says_it_would_be_refused_and_names_the_entry()
    {
        var (_, zip) = await FixtureSnapshotAsync();
        // A changed letter in a document's JSON: the checksum the manifest keeps no longer matches.
        var damaged = new ZipRewriter(zip).Replace("documents.ndjson", FlipLastLetter).ToBytes();
        var before = await EnvironmentState.ReadSettledAsync(service.Services);

        var response = await service.Http.PostZipAsync("/api/imports?name=damaged&dryRun=true", damaged);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(plan.GetProperty("refused").GetBoolean());
        Assert.Contains("documents.ndjson", Assert.Single(plan.GetProperty("refusals").EnumerateArray()).GetString());
        Assert.False(plan.TryGetProperty("report", out _));
        Assert.Equal(before, await EnvironmentState.ReadAsync(service.Services));
    }

    [Fact]
    public async Task A_dry_run_into_a_project_with_a_running_restore_says_the_merge_would_be_refused()
    {
        var (snapshotId, _) = await FixtureSnapshotAsync();
        var identifier = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}")).GetProperty("identifier").GetString()!;
        var targetId = await service.ImportAsync(ExportArchives.SmallFixture(), "dry-run busy target");
        var gate = service.Faults.HoldOnce(identifier, "RestoreSchema");
        try
        {
            var running = await service.Http.StartRestoreAsync(snapshotId, new { targetProjectId = targetId });
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));

            var plan = await DryRunAsync($"/api/snapshots/{snapshotId}/restores", new { targetProjectId = targetId, dryRun = true });

            Assert.True(plan.GetProperty("refused").GetBoolean());
            Assert.Contains(running.GetProperty("id").GetString()!, Assert.Single(plan.GetProperty("refusals").EnumerateArray()).GetString());
            Assert.Equal(JsonValueKind.Object, plan.GetProperty("report").ValueKind);
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(identifier);
        }
    }

    private async Task<JsonElement> DryRunAsync(string uri, object body)
    {
        var response = await service.Http.PostAsJsonAsync(uri, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The fixture (whole, or its schema and two documents) as a project, its snapshot (dataset and AIs), and that snapshot's zip.</summary>
    private async Task<(string SnapshotId, byte[] Zip)> FixtureSnapshotAsync(bool whole = false)
    {
        var projectId = await service.ImportAsync(whole ? ExportArchives.FromFolder(RepositoryPaths.KonfuzioProject46) : ExportArchives.SmallFixture(), "dry-run source");
        var snapshotId = (await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai")).GetProperty("id").GetString()!;
        return (snapshotId, await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshotId}/download"));
    }

    private static string FixtureLabelDescription(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.KonfuzioProject46, "labels.json5")))!.AsArray()
            .OfType<JsonObject>().Single(l => l["text"]!.GetValue<string>() == name)["description"]!.GetValue<string>();

    private static string FlipLastLetter(string content)
    {
        var last = content.LastIndexOfAny("abcdefghijklmnopqrstuvwxy".ToCharArray());
        return string.Concat(content.AsSpan(0, last), ((char)(content[last] + 1)).ToString(), content.AsSpan(last + 1));
    }

    private static void AssertSameJson(JsonElement expected, JsonElement actual) =>
        Assert.True(JsonElement.DeepEquals(expected, actual), $"expected {expected}\nactual   {actual}");
}
