using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Snapshots.Access;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// Every endpoint called by every kind of caller, with the exact status expected. The table below is the
/// permission matrix; README.md shows the same one.
/// </summary>
[Collection(AccessTestGroup.Name)]
public sealed class PermissionMatrixTests(ServiceFixture service)
{
    /// <summary>The callers, in the table's column order.</summary>
    private static readonly string[] Callers = ["admin", "owner", "maintainer", "reader", "stranger", "no token", "expired", "other key"];

    // {P} source project (the roles hold on it), {T} merge target (roles hold on it too), {S} a created snapshot of P,
    // {fresh} a created snapshot used up by a successful delete, {R} a completed restore into T, {O} P's import operation,
    // {ping} a ping operation.
    private static readonly Row[] Matrix =
    [
        //   verb      path                                         body                                  admin owner maint reader stranger none expired otherkey
        new("GET",    "/api/health",                                 null,                                 200,  200,  200,  200,   200,     200, 200,    200),
        new("GET",    "/api/projects",                               null,                                 200,  200,  200,  200,   200,     401, 401,    401),
        new("POST",   "/api/projects",                               """{"name":"matrix"}""",              201,  201,  201,  201,   201,     401, 401,    401),
        new("GET",    "/api/projects/{P}",                           null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/projects/{P}/documents",                 null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/projects/{P}/ais",                       null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("POST",   "/api/projects/{P}/ais",                       "{}",                                 400,  400,  400,  403,   404,     401, 401,    401),
        new("GET",    "/api/projects/{P}/members",                   null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("PUT",    "/api/projects/{P}/members",                   """{"members":[{"userId":"owner-user","role":"owner"}]}""", 200, 200, 403, 403, 404, 401, 401, 401),
        new("GET",    "/api/projects/{P}/backup-policy",             null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("PUT",    "/api/projects/{P}/backup-policy",             Policy,                               200,  200,  403,  403,   404,     401, 401,    401),
        new("DELETE", "/api/projects/{P}/backup-policy",             null,                                 204,  204,  403,  403,   404,     401, 401,    401) { BeforeEach = "policy" },
        new("POST",   "/api/projects/{P}/snapshots",                 """{"modes":["dataset"]}""",          202,  202,  202,  403,   404,     401, 401,    401),
        new("GET",    "/api/projects/{P}/snapshots",                 null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/snapshots/{S}",                          null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/snapshots/{S}/download",                 null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("PATCH",  "/api/snapshots/{S}",                          """{"description":"matrix"}""",       200,  200,  200,  403,   404,     401, 401,    401),
        new("DELETE", "/api/snapshots/{fresh}",                      null,                                 204,  204,  403,  403,   404,     401, 401,    401),
        // Let in, every caller gets past the access check to the body, which names no mode.
        new("POST",   "/api/snapshots/{S}/verify",                   """{"mode":"bogus"}""",               400,  400,  400,  400,   404,     401, 401,    401),
        new("GET",    "/api/projects/{P}/webhooks",                  null,                                 200,  200,  200,  403,   404,     401, 401,    401),
        new("PUT",    "/api/projects/{P}/webhooks",                  """{"webhooks":[]}""",                200,  200,  200,  403,   404,     401, 401,    401),
        new("GET",    "/api/projects/{P}/webhooks/none/deliveries",  null,                                 404,  404,  404,  403,   404,     401, 401,    401),
        new("POST",   "/api/snapshots/{S}/restores",                 "{}",                                 202,  202,  202,  403,   404,     401, 401,    401),
        new("POST",   "/api/snapshots/{S}/restores",                 """{"targetProjectId":"{T}"}""",      202,  202,  202,  403,   404,     401, 401,    401) { BeforeEach = "idle target" },
        new("POST",   "/api/snapshots/{S}/restores",                 """{"targetProjectId":"{T}","dryRun":true}""", 200, 200, 200, 403, 404,  401, 401,    401),
        new("GET",    "/api/snapshots/{S}/restores",                 null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/snapshots/{S}/compare?with=project",     null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/snapshots/{S}/compare?with={fresh}",     null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/restores/{R}",                           null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("POST",   "/api/restores/{R}/retry",                     null,                                 409,  409,  409,  403,   404,     401, 401,    401),
        new("POST",   "/api/restores/{R}/cancel",                    null,                                 409,  409,  409,  403,   404,     401, 401,    401),
        new("GET",    "/api/restores?projectId={T}",                 null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("POST",   "/api/restores",                               """{"identifier":"x"}""",             404,  404,  404,  404,   404,     401, 401,    401),
        new("POST",   "/api/imports?name=matrix",                    "",                                   400,  400,  400,  400,   400,     401, 401,    401),
        new("POST",   "/api/imports?name=matrix&into={P}",           "",                                   400,  400,  400,  403,   404,     401, 401,    401),
        // The first caller allowed reverts the restore; it is reverted for every caller after.
        new("POST",   "/api/restores/{R}/revert",                    null,                                 200,  409,  409,  403,   404,     401, 401,    401),
        new("GET",    "/api/operations/{O}",                         null,                                 200,  200,  200,  200,   404,     401, 401,    401),
        new("GET",    "/api/operations/{ping}",                      null,                                 200,  404,  404,  404,   404,     401, 401,    401),
        new("POST",   "/api/diagnostics/ping",                       null,                                 202,  403,  403,  403,   403,     401, 401,    401),
        new("POST",   "/admin/functions/NoSuchTimer",                null,                                 404,  403,  403,  403,   403,     401, 401,    401),
        new("GET",    "/api/projects/{P}/audit",                     null,                                 200,  200,  403,  403,   404,     401, 401,    401),
        new("GET",    "/api/audit",                                  null,                                 200,  403,  403,  403,   403,     401, 401,    401),
    ];

    private const string Policy = """{"modes":["dataset"],"schedule":"0 3 * * *","retention":{"keepLast":1}}""";

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_the_matrix_says()
    {
        var admin = service.Http;
        var (projectId, importOperation) = await ImportSmallProjectAsync();
        var target = await CreateProjectAsync("matrix merge target");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/projects/{projectId}/backup-policy", Json(Policy))).StatusCode);
        var snapshots = await Task.WhenAll(Enumerable.Range(0, 1 + Callers.Length).Select(_ => admin.CreateSnapshotAsync(projectId, "dataset")));
        var snapshot = snapshots[0].GetProperty("id").GetString()!;
        var fresh = new Queue<string>(snapshots.Skip(1).Select(s => s.GetProperty("id").GetString()!));
        var restore = (await admin.RestoreAsync(snapshot, new { targetProjectId = target })).GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/restores/{restore}"), r => r.GetProperty("revertible").GetBoolean(), TimeSpan.FromMinutes(1));
        var ping = (await (await admin.PostAsync("/api/diagnostics/ping", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var tokens = TokensFor(projectId, target);
        var mismatches = new List<string>();
        foreach (var row in Matrix)
        {
            for (var column = 0; column < Callers.Length; column++)
            {
                if (row.BeforeEach == "policy")
                {
                    await admin.PutAsync($"/api/projects/{projectId}/backup-policy", Json(Policy));
                }
                else if (row.BeforeEach == "idle target")
                {
                    // One restore at a time writes into a project: the previous caller's merge must have ended.
                    await Eventually.ReturnsAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/restores?projectId={target}"),
                        list => list.GetProperty("items").EnumerateArray().All(r => r.GetProperty("status").GetString() is not ("queuing" or "inProgress")),
                        TimeSpan.FromMinutes(1));
                }

                string Resolve(string text) => text
                    .Replace("{P}", projectId).Replace("{T}", target).Replace("{S}", snapshot).Replace("{R}", restore)
                    .Replace("{O}", importOperation).Replace("{ping}", ping)
                    .Replace("{fresh}", text.Contains("{fresh}") ? fresh.Peek() : "");

                using var client = service.ClientWith(tokens[column]);
                using var request = new HttpRequestMessage(new HttpMethod(row.Verb), Resolve(row.Path));
                if (row.Body is not null)
                {
                    request.Content = Json(Resolve(row.Body));
                }

                using var response = await client.SendAsync(request);
                var actual = (int)response.StatusCode;
                if (actual == 204 && row.Path.Contains("{fresh}"))
                {
                    fresh.Dequeue();
                }

                if (actual != row.Expected[column])
                {
                    mismatches.Add($"{row.Verb} {row.Path} as {Callers[column]}: expected {row.Expected[column]}, got {actual} {await response.Content.ReadAsStringAsync()}");
                }
                else if (actual >= 400)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task A_401_says_why_and_asks_for_a_bearer_token()
    {
        using var anonymous = service.ClientWith(null);
        using var expired = service.ClientWith(ExpiredAdminToken());

        var missing = await anonymous.GetAsync("/api/projects");
        var late = await expired.GetAsync("/api/projects");

        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Contains("expired", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_member_added_through_the_api_gets_exactly_their_role_and_sees_the_project_in_their_list()
    {
        var projectId = await CreateProjectAsync("membership");
        using var dave = service.ClientWith(service.Token(new DevelopmentTokenRequest("dave")));
        Assert.Equal(HttpStatusCode.NotFound, (await dave.GetAsync($"/api/projects/{projectId}")).StatusCode);

        var put = await service.Http.PutAsync($"/api/projects/{projectId}/members",
            Json("""{"members":[{"userId":"test-admin","role":"owner"},{"userId":"dave","name":"Dave","role":"reader"}]}"""));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dave.GetAsync($"/api/projects/{projectId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await dave.PostAsync($"/api/projects/{projectId}/snapshots", Json("""{"modes":["dataset"]}"""))).StatusCode);
        Assert.Contains(projectId, await dave.ListProjectIdsAsync());

        var removed = await service.Http.PutAsync($"/api/projects/{projectId}/members", Json("""{"members":[{"userId":"test-admin","role":"owner"}]}"""));

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dave.GetAsync($"/api/projects/{projectId}")).StatusCode);
        Assert.DoesNotContain(projectId, await dave.ListProjectIdsAsync());
    }

    [Theory]
    [InlineData("""{"members":[{"userId":"dave","role":"reader"}]}""", "at least one owner")]
    [InlineData("""{"members":[{"userId":"dave","role":"boss"}]}""", "'boss' is not a role")]
    [InlineData("""{"members":[{"userId":"a/b","role":"owner"}]}""", "userId")]
    [InlineData("""{"members":[{"userId":"x","role":"owner"},{"userId":"x","role":"reader"}]}""", "listed twice")]
    [InlineData("""{}""", "'members' is missing")]
    public async Task A_bad_member_list_is_a_400_and_changes_nothing(string body, string message)
    {
        var projectId = await CreateProjectAsync("bad members");

        var response = await service.Http.PutAsync($"/api/projects/{projectId}/members", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var members = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members");
        Assert.Equal("test-admin", members.GetProperty("items").EnumerateArray().Single().GetProperty("userId").GetString());
    }

    [Fact]
    public async Task Whoever_restores_into_a_new_project_owns_it()
    {
        var (projectId, _) = await ImportSmallProjectAsync();
        var snapshot = (await service.Http.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        using var maintainer = service.ClientWith(service.Token(new DevelopmentTokenRequest("erin")
        {
            ProjectRoles = new Dictionary<string, string> { [projectId] = ProjectRoles.Maintainer },
        }));

        var restore = await maintainer.RestoreAsync(snapshot);

        var restoredProject = restore.GetProperty("projectId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await maintainer.GetAsync($"/api/projects/{restoredProject}")).StatusCode);
        var members = await maintainer.GetFromJsonAsync<JsonElement>($"/api/projects/{restoredProject}/members");
        var owner = members.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("erin", "owner"), (owner.GetProperty("userId").GetString(), owner.GetProperty("role").GetString()));
    }

    private string?[] TokensFor(string projectId, string targetId)
    {
        DevelopmentTokenRequest Role(string user, string role) => new(user)
        {
            ProjectRoles = new Dictionary<string, string> { [projectId] = role, [targetId] = role },
        };

        return
        [
            service.AdminToken,
            service.Token(Role("owner-user", ProjectRoles.Owner)),
            service.Token(Role("maintainer-user", ProjectRoles.Maintainer)),
            service.Token(Role("reader-user", ProjectRoles.Reader)),
            service.Token(new DevelopmentTokenRequest("stranger") { ProjectRoles = new Dictionary<string, string> { ["another-project"] = ProjectRoles.Owner } }),
            null,
            ExpiredAdminToken(),
            DevelopmentTokens.Mint(DevelopmentTokens.NewKey(), new DevelopmentTokenRequest("forger") { EnvironmentRoles = [EnvironmentRoles.Admin] }),
        ];
    }

    private string ExpiredAdminToken() => DevelopmentTokens.Mint(service.SigningKey,
        new DevelopmentTokenRequest("test-admin") { EnvironmentRoles = [EnvironmentRoles.Admin], Lifetime = TimeSpan.FromMinutes(1) },
        new ShiftedClock(TimeSpan.FromHours(-2)));

    private async Task<(string ProjectId, string Operation)> ImportSmallProjectAsync()
    {
        var response = await service.Http.PostZipAsync("/api/imports?name=matrix", ExportArchives.SmallFixture());
        var accepted = await response.ReadJsonObjectAsync();
        var operation = await service.WaitForOperationAsync(accepted["statusUri"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
        Assert.Equal("Completed", operation.Status);
        return (accepted["projectId"]!.GetValue<string>(), accepted["id"]!.GetValue<string>());
    }

    private async Task<string> CreateProjectAsync(string name)
    {
        var response = await service.Http.PostAsJsonAsync("/api/projects", new { name });
        return (await response.ReadJsonObjectAsync())["id"]!.GetValue<string>();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed record Row(string Verb, string Path, string? Body, params int[] Expected)
    {
        public string? BeforeEach { get; init; }
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
