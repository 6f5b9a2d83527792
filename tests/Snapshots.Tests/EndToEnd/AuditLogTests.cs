using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Audit;
using Snapshots.Configuration;
using Snapshots.Storage;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Contract;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>The audit log through the API: what is recorded, by whom, in which log, newest first, and never a token.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class AuditLogTests(ServiceFixture service)
{
    private static readonly OpenApiContract Contract = OpenApiContract.Embedded;

    [Fact]
    public async Task A_create_a_restore_a_delete_and_a_403_appear_newest_first_with_their_user_and_outcome_and_no_token_is_stored()
    {
        var projectId = await SeedAsync("audited", documents: 7);
        var ownerToken = TokenFor("audit-owner", projectId, ProjectRoles.Owner);
        var readerToken = TokenFor("audit-reader", projectId, ProjectRoles.Reader);
        var forgedToken = DevelopmentTokens.Mint(DevelopmentTokens.NewKey(), new DevelopmentTokenRequest("audit-forger"));
        using var owner = service.ClientWith(ownerToken);
        using var reader = service.ClientWith(readerToken);
        using var forger = service.ClientWith(forgedToken);

        var kept = (await owner.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        var deleted = (await owner.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        var restore = await owner.RestoreAsync(kept);
        Assert.Equal("restored", restore.GetProperty("status").GetString());
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/snapshots/{deleted}") { Headers = { { "X-Forwarded-For", "203.0.113.7" } } };
        Assert.Equal(HttpStatusCode.NoContent, (await owner.SendAsync(delete)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostSnapshotAsync(projectId, ["dataset"])).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/api/projects/{projectId}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forger.PostSnapshotAsync(projectId, ["dataset"])).StatusCode);

        var log = await ReadSettledLogAsync(owner, $"/api/projects/{projectId}/audit", expected: 6);

        Assert.Equal(
            new (string?, string?, string?, int)[]
            {
                ("GetProjectAuditLog", "audit-reader", "refused", 403),
                ("CreateSnapshot", "audit-reader", "refused", 403),
                ("DeleteSnapshot", "audit-owner", "succeeded", 204),
                ("StartRestore", "audit-owner", "succeeded", 202),
                ("CreateSnapshot", "audit-owner", "succeeded", 202),
                ("CreateSnapshot", "audit-owner", "succeeded", 202),
            },
            log.Select(e => (Text(e, "operation"), Text(e, "userId"), Text(e, "outcome"), e.GetProperty("status").GetInt32())));
        Assert.Equal(log.Select(e => e.GetProperty("at").GetDateTimeOffset()).OrderDescending(), log.Select(e => e.GetProperty("at").GetDateTimeOffset()));
        Assert.All(log, e => Assert.Equal(projectId, Text(e, "scope")));
        Assert.Contains("'view audit'", Text(log[0], "reason"));
        Assert.Contains("'add snapshot'", Text(log[1], "reason"));
        Assert.Equal($"/api/projects/{projectId}/snapshots", Text(log[1], "path"));
        Assert.Equal(projectId, log[1].Get("targets.projectId").GetString());
        Assert.Equal(deleted, log[2].Get("targets.snapshotId").GetString());
        Assert.Equal("203.0.113.7", Text(log[2], "forwardedFor"));
        Assert.Equal("127.0.0.1", Text(log[2], "clientAddress"));
        Assert.False(log[2].TryGetProperty("reason", out _));
        Assert.Equal(kept, log[3].Get("targets.snapshotId").GetString());

        var refused = await FindInEnvironmentLogAsync(e => Text(e, "path") == $"/api/projects/{projectId}/snapshots");
        Assert.Equal(((string?)"CreateSnapshot", (string?)null, (string?)"refused", 401), (Text(refused, "operation"), Text(refused, "userId"), Text(refused, "outcome"), refused.GetProperty("status").GetInt32()));
        Assert.False(refused.TryGetProperty("reason", out _));

        var stored = await RawItemsAsync(projectId) + await RawItemsAsync(AuditPartitions.EnvironmentScope);
        Assert.Contains(deleted, stored);
        foreach (var secret in new[] { ownerToken, readerToken, forgedToken, service.AdminToken, "Bearer", "eyJ" })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_logs_answer_as_the_document_says_and_refuse_a_bad_page_or_token()
    {
        var projectId = await SeedAsync("audited contract", documents: 1);
        await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/backup-policy", new { modes = new[] { "dataset" }, schedule = "0 3 * * *", retention = new { keepLast = 1 } });

        await Eventually.ReturnsAsync(() => service.Http.GetStringAsync($"/api/projects/{projectId}/audit"), page => page.Contains("SetBackupPolicy"), TimeSpan.FromSeconds(30));
        await Contract.AssertResponseAsync("GetProjectAuditLog", await service.Http.GetAsync($"/api/projects/{projectId}/audit?pageSize=1"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("GetAuditLog", await service.Http.GetAsync("/api/audit?pageSize=3"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("GetAuditLog", await service.Http.GetAsync($"/api/audit?projectId={projectId}"), HttpStatusCode.OK);

        await Contract.AssertResponseAsync("GetProjectAuditLog", await service.Http.GetAsync($"/api/projects/{projectId}/audit?pageSize=0"), HttpStatusCode.BadRequest);
        await Contract.AssertResponseAsync("GetProjectAuditLog", await service.Http.GetAsync($"/api/projects/{projectId}/audit?continuationToken=not-ours"), HttpStatusCode.BadRequest);
        await Contract.AssertResponseAsync("GetAuditLog", await service.Http.GetAsync("/api/audit?projectId=a%2Fb"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_daily_timer_prunes_days_past_the_retention_and_keeps_the_rest()
    {
        var scope = "audit-prune-" + Guid.NewGuid().ToString("N")[..8];
        var recorder = service.Services.GetRequiredService<AuditRecorder>();
        var now = DateTimeOffset.UtcNow;
        var retention = service.Services.GetRequiredService<IOptions<AuditOptions>>().Value.RetentionDays;
        await recorder.RecordAsync(Entry(scope, now.AddDays(-retention - 2)), CancellationToken.None);
        await recorder.RecordAsync(Entry(scope, now.AddDays(-1)), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Accepted, (await service.Http.PostAsync("/admin/functions/PruneAuditLog", null)).StatusCode);

        var log = await ReadWholeLogAsync(service.Http, $"/api/audit?projectId={scope}", pageSize: 10);
        Assert.Equal([AuditPartitions.DayOf(now.AddDays(-1))], log.Select(e => AuditPartitions.DayOf(e.GetProperty("at").GetDateTimeOffset())));
        Assert.Equal([AuditPartitions.DayOf(now.AddDays(-1))], await DaysAsync(scope));
    }

    private Task<string> SeedAsync(string name, int documents) => service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
        new SeedSpec { Name = name, Documents = documents, AnnotationsPerDocument = 1, Ais = 0, DocumentFileBytes = 100 });

    /// <summary>The days of a scope's day index, as stored.</summary>
    private async Task<List<string>> DaysAsync(string scope) =>
        [.. (await service.Services.GetRequiredService<Snapshots.Projects.ProjectStore>()
            .ListPartitionAsync<AuditDay>(AuditPartitions.DaysPartition(scope), CancellationToken.None).CollectAsync()).Select(d => d.Id)];

    private string TokenFor(string user, string projectId, string role) =>
        service.Token(new DevelopmentTokenRequest(user) { ProjectRoles = new Dictionary<string, string> { [projectId] = role } });

    private static AuditEntry Entry(string scope, DateTimeOffset at) => new()
    {
        Id = AuditPartitions.EntryId(at, Guid.NewGuid()),
        ProjectId = scope,
        At = at,
        Operation = "CreateSnapshot",
        Method = "POST",
        Path = $"/api/projects/{scope}/snapshots",
        Status = 202,
        Outcome = AuditOutcome.Succeeded,
    };

    /// <summary>
    /// The whole log once it holds <paramref name="expected"/> entries, or as it is after a while (for the assertions
    /// to show what is missing): an entry is recorded as its answer completes, so it may land a moment after the answer.
    /// </summary>
    private static async Task<List<JsonElement>> ReadSettledLogAsync(HttpClient client, string uri, int expected)
    {
        try
        {
            return await Eventually.ReturnsAsync(() => ReadWholeLogAsync(client, uri, pageSize: 2), entries => entries.Count >= expected, TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            return await ReadWholeLogAsync(client, uri, pageSize: 2);
        }
    }

    /// <summary>Follows the continuation token to the end, a page of <paramref name="pageSize"/> at a time.</summary>
    private static async Task<List<JsonElement>> ReadWholeLogAsync(HttpClient client, string uri, int pageSize)
    {
        var entries = new List<JsonElement>();
        string? token = null;
        do
        {
            var separator = uri.Contains('?') ? '&' : '?';
            var page = await client.GetFromJsonAsync<JsonElement>(
                $"{uri}{separator}pageSize={pageSize}" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}"));
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= pageSize);
            entries.AddRange(items);
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return entries;
    }

    /// <summary>The newest entry of the environment's log that matches, paging as far back as needed (other tests write there too).</summary>
    private async Task<JsonElement> FindInEnvironmentLogAsync(Func<JsonElement, bool> match) =>
        await Eventually.ReturnsAsync(
            async () => (await ReadWholeLogAsync(service.Http, "/api/audit", pageSize: 1000)).FirstOrDefault(match),
            found => found.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30));

    /// <summary>Every stored item of a scope's audit partitions, as Cosmos holds them.</summary>
    private async Task<string> RawItemsAsync(string scope)
    {
        var container = service.Services.GetRequiredService<CosmosClient>()
            .GetContainer(service.Services.GetRequiredService<IOptions<CosmosOptions>>().Value.DatabaseName, CosmosContainerNames.Projects);
        var partitions = new List<string> { AuditPartitions.ScopesPartition, AuditPartitions.DaysPartition(scope) };
        partitions.AddRange((await DaysAsync(scope)).Select(day => AuditPartitions.EntriesPartition(scope, day)));

        var raw = new System.Text.StringBuilder();
        foreach (var partition in partitions)
        {
            using var query = container.GetItemQueryStreamIterator(
                new QueryDefinition("SELECT * FROM c WHERE c.projectId = @partition").WithParameter("@partition", partition),
                requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition) });
            while (query.HasMoreResults)
            {
                using var response = await query.ReadNextAsync();
                using var text = new StreamReader(response.EnsureSuccessStatusCode().Content);
                raw.AppendLine(await text.ReadToEndAsync());
            }
        }

        return raw.ToString();
    }

    private static string? Text(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value.GetString() : null;
}
