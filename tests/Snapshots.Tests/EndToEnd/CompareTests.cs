using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Projects;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Compare: a project's snapshot before and after documents were added and a label edited, exact per kind.</summary>
[Collection(RestorePlanningTestGroup.Name)]
public sealed class CompareTests(ServiceFixture service)
{
    private static readonly string[] Kinds = ["categories", "labelSets", "labels", "documents", "annotationSets", "annotations", "ais"];

    [Fact]
    public async Task A_snapshot_compared_with_a_later_one_and_with_the_project_counts_exactly_what_was_added_and_changed()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "compare source");
        var before = (await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai")).GetProperty("id").GetString()!;

        // Documents added by merging another project's snapshot in; one label's description edited.
        var otherId = await service.ImportAsync(ExportArchives.SmallFixture(), "compare additions");
        var additions = (await service.Http.CreateSnapshotAsync(otherId, "dataset")).GetProperty("id").GetString()!;
        var merged = await service.Http.RestoreAsync(additions, new { targetProjectId = projectId });
        Assert.Equal("restored", merged.GetProperty("status").GetString());
        var store = service.Services.GetRequiredService<ProjectStore>();
        var label = (await store.ListAsync<Label>(projectId, default).CollectAsync()).OrderBy(l => l.Name, StringComparer.Ordinal).First();
        await store.UpsertAsync(projectId, label with { Description = "edited after the first snapshot" }, default);
        var after = (await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai")).GetProperty("id").GetString()!;

        var withLater = await CompareAsync(before, after);
        var withProject = await CompareAsync(before, "project");
        var laterWithProject = await CompareAsync(after, "project");

        var expected = new Dictionary<string, (int Added, int Removed, int Changed)>
        {
            ["documents"] = (merged.Get("report.documents").GetInt32(), 0, 0),
            ["annotationSets"] = (merged.Get("report.annotationSets").GetInt32(), 0, 0),
            ["annotations"] = (merged.Get("report.annotations").GetInt32(), 0, 0),
            ["labels"] = (0, 0, 1),
        };
        foreach (var comparison in new[] { withLater, withProject })
        {
            foreach (var kind in Kinds)
            {
                var counts = comparison.GetProperty("kinds").GetProperty(kind);
                Assert.Equal((kind, expected.GetValueOrDefault(kind)),
                    (kind, (counts.GetProperty("added").GetInt32(), counts.GetProperty("removed").GetInt32(), counts.GetProperty("changed").GetInt32())));
            }

            Assert.Equal(label.Name, Assert.Single(comparison.Get("kinds.labels.changedNames").EnumerateArray()).GetString());
            Assert.False(comparison.GetProperty("identical").GetBoolean());
        }

        Assert.True(expected["documents"].Added >= 2);
        Assert.True(laterWithProject.GetProperty("identical").GetBoolean());
        Assert.Equal("project", withProject.GetProperty("with").GetString());
    }

    [Fact]
    public async Task Names_are_listed_a_page_at_a_time_in_ordinal_order_and_bad_requests_are_problems()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "compare names");
        var snapshot = (await service.Http.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        var emptyId = (await service.Http.PostAsJsonAsync("/api/projects", new { name = "compare empty" })).Headers.Location!.ToString().Split('/').Last();
        var empty = (await service.Http.CreateSnapshotAsync(emptyId, "ai")).GetProperty("id").GetString()!;

        var all = await CompareAsync(empty, snapshot, "&names=1000");
        var names = all.Get("kinds.labels.addedNames").EnumerateArray().Select(n => n.GetString()!).ToList();
        var first = await CompareAsync(empty, snapshot, "&names=2");
        var next = await CompareAsync(empty, snapshot, $"&names=2&after={Uri.EscapeDataString(names[1])}");

        Assert.Equal(all.Get("kinds.labels.added").GetInt32(), names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names[..2], first.Get("kinds.labels.addedNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(names[2..4], next.Get("kinds.labels.addedNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(names.Count, next.Get("kinds.labels.added").GetInt32());

        foreach (var (query, status) in new[] { ("", HttpStatusCode.BadRequest), ("?with=project&names=5000", HttpStatusCode.BadRequest), ("?with=nosuchsnapshot", HttpStatusCode.NotFound) })
        {
            var response = await service.Http.GetAsync($"/api/snapshots/{snapshot}/compare{query}");
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private async Task<JsonElement> CompareAsync(string snapshotId, string with, string extra = "")
    {
        var response = await service.Http.GetAsync($"/api/snapshots/{snapshotId}/compare?with={with}{extra}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
