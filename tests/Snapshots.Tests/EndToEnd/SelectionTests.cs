using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// Selective snapshots and restores on the fixture: the expected documents, annotation sets and annotations are
/// counted from the fixture's own files, not written down by hand.
/// </summary>
[Collection(RestorePlanningTestGroup.Name)]
public sealed class SelectionTests(ServiceFixture service)
{
    private const string ReceiptCategory = "Quittung (GERMAN)";
    private const int Training = 2;
    private const int Test = 3;

    private static FixtureFacts Fixture => FixtureFacts.Project46;

    [Fact]
    public async Task A_snapshot_by_category_takes_exactly_that_categorys_dataset_documents_and_records_the_selection()
    {
        var projectId = await ImportFixtureAsync("selective snapshot source");
        var categoryId = Fixture.LabelSets.Single(s => s["is_default"]!.GetValue<bool>() && s["name"]!.GetValue<string>() == ReceiptCategory)["id"]!.ToString();
        var expected = Expected(d => d["category_template"]?.ToString() == categoryId && StatusOf(d) is Training or Test);

        var snapshot = await CreateAsync(projectId, new { modes = new[] { "dataset" }, select = new { categories = new[] { ReceiptCategory.ToLowerInvariant() } } });

        Assert.Equal("created", snapshot.GetProperty("status").GetString());
        Assert.Equal(categoryId, Assert.Single(snapshot.Get("selection.categoryIds").EnumerateArray()).GetString());
        AssertCounts(expected, snapshot.GetProperty("counts"));
        Assert.Equal(Fixture.Labels.Count, snapshot.Get("counts.labels").GetInt32());
        using var zip = await service.Http.DownloadAsync(snapshot.GetProperty("id").GetString()!);
        Assert.Equal(categoryId, zip.Manifest().Get("selection.categoryIds")[0].GetString());
        Assert.Equal(expected.Ids.Order(), zip.ReadNdjson("documents.ndjson").Select(d => d.GetProperty("id").GetString()!).Order());

        var restored = await service.Http.RestoreAsync(snapshot.GetProperty("id").GetString()!);
        Assert.Equal("restored", restored.GetProperty("status").GetString());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{restored.GetProperty("projectId").GetString()}")).GetProperty("counts");
        AssertCounts(expected, counts);
    }

    [Fact]
    public async Task A_restore_by_dataset_status_restores_exactly_those_documents_and_its_dry_run_says_so()
    {
        var projectId = await ImportFixtureAsync("selective restore source");
        var snapshot = await CreateAsync(projectId, new { modes = new[] { "dataset", "ai" } });
        var snapshotId = snapshot.GetProperty("id").GetString()!;
        var expected = Expected(d => StatusOf(d) == Test);
        var select = new { datasetStatus = new[] { "test" } };

        var planned = await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores", new { select, dryRun = true });
        var restore = await service.Http.RestoreAsync(snapshotId, new { select, projectName = "only the test documents" });

        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        var plan = await planned.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("restored", restore.GetProperty("status").GetString());
        Assert.True(JsonElement.DeepEquals(plan.GetProperty("report"), restore.GetProperty("report")), $"plan {plan.GetProperty("report")}\nrestore {restore.GetProperty("report")}");
        Assert.Equal("test", Assert.Single(restore.Get("selection.datasetStatus").EnumerateArray()).GetString());
        Assert.Equal(expected.Documents, restore.Get("report.documents").GetInt32());
        Assert.Equal(expected.AnnotationSets, restore.Get("report.annotationSets").GetInt32());
        Assert.Equal(expected.Annotations, restore.Get("report.annotations").GetInt32());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{restore.GetProperty("projectId").GetString()}")).GetProperty("counts");
        AssertCounts(expected, counts);
        Assert.Equal(expected.Documents, counts.Get("documentsByDatasetStatus.test").GetInt32());
        // Progress counts what was selected: done equals total, and the bytes are those the dry run planned.
        var progress = restore.GetProperty("progress");
        foreach (var kind in new[] { "documents", "annotationSets", "annotations", "ais", "files", "bytes" })
        {
            Assert.Equal(progress.Get($"{kind}.total").GetInt64(), progress.Get($"{kind}.done").GetInt64());
        }

        Assert.Equal(plan.GetProperty("bytes").GetInt64(), progress.Get("bytes.done").GetInt64());
    }

    [Fact]
    public async Task A_selection_naming_no_such_category_or_without_dataset_mode_is_refused_with_a_problem()
    {
        var projectId = await ImportFixtureAsync("selection refusals", small: true);

        var unknown = await service.Http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots",
            new { modes = new[] { "dataset" }, select = new { categories = new[] { "No such category" } } });
        var aiOnly = await service.Http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots",
            new { modes = new[] { "ai" }, select = new { datasetStatus = new[] { "training" } } });

        foreach (var (response, text) in new[] { (unknown, "no category 'No such category'"), (aiOnly, "dataset") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(text, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        var snapshots = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/snapshots");
        Assert.Empty(snapshots.GetProperty("items").EnumerateArray());
    }

    private Task<string> ImportFixtureAsync(string name, bool small = false) =>
        service.ImportAsync(small ? ExportArchives.SmallFixture() : ExportArchives.FromFolder(RepositoryPaths.KonfuzioProject46), name);

    private async Task<JsonElement> CreateAsync(string projectId, object body)
    {
        var response = await service.Http.PostAsJsonAsync($"/api/projects/{projectId}/snapshots", body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await service.Http.WaitForSnapshotAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private static int StatusOf(JsonObject document) => document["dataset_status"]!.GetValue<int>();

    private static ExpectedDocuments Expected(Func<JsonObject, bool> selected)
    {
        var ids = Fixture.Documents.Where(selected).Select(d => d["id"]!.ToString()).ToList();
        Assert.NotEmpty(ids);
        return new ExpectedDocuments(ids, ids.Sum(id => Fixture.AnnotationSetsByDocument.GetValueOrDefault(id)), ids.Sum(id => Fixture.AnnotationsByDocument.GetValueOrDefault(id)));
    }

    private static void AssertCounts(ExpectedDocuments expected, JsonElement counts) =>
        Assert.Equal((expected.Documents, expected.AnnotationSets, expected.Annotations),
            (counts.GetProperty("documents").GetInt32(), counts.GetProperty("annotationSets").GetInt32(), counts.GetProperty("annotations").GetInt32()));

    private sealed record ExpectedDocuments(List<string> Ids, int AnnotationSets, int Annotations)
    {
        public int Documents => Ids.Count;
    }
}
