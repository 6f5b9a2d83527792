using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Read-modify-writes use ETags: an edit racing with a snapshot's completion never writes back a stale record.</summary>
[Collection(RestoreSafetyTestGroup.Name)]
public sealed class ConcurrentEditTests(ServiceFixture service)
{
    [Fact]
    public async Task Description_edits_in_a_tight_loop_never_undo_a_snapshot_finishing_meanwhile()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "edited while created", Documents = 30, AnnotationsPerDocument = 2, Ais = 3, DocumentFileBytes = 200, ModelFileBytes = 200 });
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var started = await service.Http.PostSnapshotAsync(projectId, ["dataset", "ai"]);
            ids.Add((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        // Each snapshot has a PATCH in flight nearly all the time, so its completion lands inside some edit's
        // read-modify-write; a stale write-back would leave it "creating" for good and the loop would time out.
        var edits = 0;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var loops = ids.Select(async id =>
        {
            string? status;
            do
            {
                var patched = await service.Http.PatchAsJsonAsync($"/api/snapshots/{id}", new { description = $"edit {Interlocked.Increment(ref edits)}" });
                Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
                status = (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
            }
            while (status == "creating" && DateTime.UtcNow < deadline);

            return status;
        });
        var creating = (await Task.WhenAll(loops)).Where(status => status == "creating").ToList();

        Assert.Empty(creating);
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        var datasetDocuments = counts.Get("documentsByDatasetStatus.training").GetInt32() + counts.Get("documentsByDatasetStatus.test").GetInt32();
        foreach (var id in ids)
        {
            var snapshot = await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{id}");
            Assert.Equal("created", snapshot.GetProperty("status").GetString());
            Assert.StartsWith("edit ", snapshot.GetProperty("description").GetString());
            Assert.Equal(datasetDocuments, snapshot.Get("counts.documents").GetInt32());
            Assert.Equal(counts.GetProperty("labels").GetInt32(), snapshot.Get("counts.labels").GetInt32());
            Assert.True(snapshot.GetProperty("bytes").GetInt64() > 0);
        }

        Assert.True(edits > ids.Count, "the edits raced with the creation");
    }

    [Fact]
    public async Task Member_lists_replaced_concurrently_end_as_exactly_one_of_them_with_its_owner()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "members raced", Documents = 1, AnnotationsPerDocument = 1, Ais = 0, DocumentFileBytes = 10 });
        for (var round = 0; round < 5; round++)
        {
            var lists = Enumerable.Range(0, 8).Select(i => new[]
            {
                new { userId = $"owner-{round}-{i}", role = "owner" },
                new { userId = $"reader-{round}-{i}", role = "reader" },
                new { userId = "everyone", role = i % 2 == 0 ? "maintainer" : "reader" },
            }).ToList();
            var answers = await Task.WhenAll(lists.Select(list => service.Http.PutAsJsonAsync($"/api/projects/{projectId}/members", new { members = list })));

            Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
            var accepted = lists.Where((_, i) => answers[i].StatusCode == HttpStatusCode.OK).ToList();
            Assert.NotEmpty(accepted);
            var page = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members");
            var final = page.GetProperty("items").EnumerateArray()
                .Select(m => $"{m.GetProperty("userId").GetString()}:{m.GetProperty("role").GetString()}").Order().ToList();
            Assert.Contains(accepted, list => list.Select(m => $"{m.userId}:{m.role}").Order().SequenceEqual(final));
        }
    }
}
