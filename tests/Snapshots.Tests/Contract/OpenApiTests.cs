using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Access;
using Snapshots.Local;
using Snapshots.Local.FunctionHosting;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Contract;

/// <summary>The OpenAPI document against the functions themselves: every HTTP function documented, nothing else.</summary>
public sealed class OpenApiTests
{
    private static readonly OpenApiContract Contract = OpenApiContract.Embedded;

    private static readonly string[] PublicOperations = ["GetHealth", "GetOpenApiDocument", "GetWebPage", "GetWebPageFile"];

    private static Dictionary<string, string> FunctionOperations() => LocalRuntime.Functions
        .Where(f => f.Trigger == FunctionTriggerKind.Http)
        .SelectMany(f => f.HttpTrigger.Methods!.SelectMany(verb => OpenApiContract.RouteVariants(f.HttpTrigger.Route!, f.Name)
            .Select(variant => (Key: $"{verb.ToUpperInvariant()} {variant.Path}", variant.OperationId))))
        .ToDictionary(p => p.Key, p => p.OperationId);

    private static Dictionary<string, string?> DocumentedOperations() => Contract.Operations
        .ToDictionary(o => $"{o.Verb} {OpenApiContract.NormalizePath(o.Path)}", o => o.OperationId);

    [Fact]
    public void Every_http_function_is_documented_on_its_route_and_verbs_with_its_name_as_operation_id()
    {
        var documented = DocumentedOperations();
        Assert.NotEmpty(documented);

        var problems = FunctionOperations()
            .Select(f => !documented.TryGetValue(f.Key, out var operationId) ? $"{f.Value}: {f.Key} is not documented"
                : operationId != f.Value ? $"{f.Value}: {f.Key} is documented with operationId '{operationId}'"
                : null)
            .OfType<string>()
            .ToList();

        Assert.True(problems.Count == 0, string.Join(System.Environment.NewLine, problems));
    }

    [Fact]
    public void Every_documented_operation_is_an_http_function()
    {
        var functions = FunctionOperations();
        Assert.NotEmpty(functions);

        var strays = DocumentedOperations().Where(d => !functions.ContainsKey(d.Key)).Select(d => $"{d.Value}: {d.Key}").ToList();

        Assert.True(strays.Count == 0, "Documented without a function: " + string.Join(", ", strays));
    }

    [Fact]
    public void Operation_ids_are_unique_and_every_path_parameter_is_declared()
    {
        Assert.Equal(Contract.Operations.Count, Contract.Operations.Select(o => o.OperationId).Distinct().Count());
        Assert.All(Contract.Operations, operation =>
        {
            var declared = (operation.Definition["parameters"]?.AsArray() ?? [])
                .Where(p => p!["in"]!.GetValue<string>() == "path")
                .Select(p => p!["name"]!.GetValue<string>())
                .Order()
                .ToList();
            var inPath = System.Text.RegularExpressions.Regex.Matches(operation.Path, @"\{(\w+)\}").Select(m => m.Groups[1].Value).Order().ToList();
            Assert.True(inPath.SequenceEqual(declared), $"{operation}: path parameters {string.Join(",", inPath)}, declared {string.Join(",", declared)}");
        });
    }

    [Fact]
    public void The_document_is_OpenAPI_3_1_with_bearer_tokens_everywhere_but_the_public_endpoints()
    {
        var document = Contract.Document;

        Assert.Equal("3.1.0", document["openapi"]!.GetValue<string>());
        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal(("http", "bearer", "JWT"), (scheme["type"]!.GetValue<string>(), scheme["scheme"]!.GetValue<string>(), scheme["bearerFormat"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"bearer": []}]"""), document["security"]));
        Assert.All(Contract.Operations, operation =>
        {
            var security = operation.Definition["security"];
            if (PublicOperations.Contains(operation.OperationId))
            {
                Assert.True(security is JsonArray { Count: 0 }, $"{operation} is public and must say security: []");
            }
            else
            {
                Assert.True(security is null, $"{operation} needs the global bearer security");
                Assert.True(operation.Definition["responses"]?["401"] is not null, $"{operation} needs a token, so it documents 401");
            }
        });
    }

    [Fact]
    public void Every_reference_resolves_and_every_schema_builds_as_JSON_Schema_2020_12()
    {
        var components = Contract.Document["components"]!["schemas"]!.AsObject();
        var references = References(Contract.Document).Distinct().ToList();

        Assert.All(references, reference =>
        {
            Assert.StartsWith("#/components/schemas/", reference);
            Assert.True(components.ContainsKey(reference["#/components/schemas/".Length..]), $"{reference} does not resolve");
        });
        Assert.All(components.Select(c => c.Key), name => Assert.NotNull(Contract.ComponentSchema(name)));
        Assert.All(Contract.Operations, operation =>
        {
            foreach (var (status, response) in operation.Definition["responses"]!.AsObject())
            {
                foreach (var (mediaType, media) in response!["content"]?.AsObject() ?? [])
                {
                    if (mediaType.EndsWith("json", StringComparison.Ordinal) && media!["schema"] is not null)
                    {
                        Assert.NotNull(Contract.SchemaFor(operation.OperationId!, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), mediaType));
                    }
                }
            }
        });
    }

    [Fact]
    public void Every_error_answer_is_a_problem()
    {
        Assert.All(Contract.Operations, operation =>
        {
            foreach (var (status, response) in operation.Definition["responses"]!.AsObject())
            {
                if (status is "400" or "401" or "403" or "404" or "409" or "413")
                {
                    var schema = response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
                    Assert.True(schema == "#/components/schemas/Problem", $"{operation} {status} is not application/problem+json with the Problem schema");
                }
            }
        });
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : References(p.Value)),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };
}

/// <summary>
/// Real answers of the running service, each checked against the schema the document gives for its operation and
/// status: the document describes what the API does, not what it was meant to do.
/// </summary>
[Collection(ServiceTestGroup.Name)]
public sealed class LiveOpenApiTests(ServiceFixture service)
{
    private static readonly OpenApiContract Contract = OpenApiContract.Embedded;

    private HttpClient Admin => service.Http;

    [Fact]
    public async Task The_document_is_served_to_anyone_as_json()
    {
        using var anonymous = service.ClientWith(null);

        var response = await anonymous.GetAsync("/api/openapi.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var served = await Contract.AssertResponseAsync("GetOpenApiDocument", response, HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(Contract.Document, JsonSerializer.SerializeToNode(served)), "The served document differs from the embedded one.");
        await Contract.AssertResponseAsync("GetWebPage", await anonymous.GetAsync("/api/ui"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Service_project_member_ai_and_policy_answers_match_the_document()
    {
        using var anonymous = service.ClientWith(null);
        await Contract.AssertResponseAsync("GetHealth", await anonymous.GetAsync("/api/health"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("GetEnvironment", await Admin.GetAsync("/api/environment"), HttpStatusCode.OK);

        var created = await Contract.AssertResponseAsync("CreateProject",
            await Admin.PostAsJsonAsync("/api/projects", new { name = "contract", description = "OpenAPI contract" }), HttpStatusCode.Created);
        var projectId = created.GetProperty("id").GetString()!;
        await Contract.AssertResponseAsync("ListProjects", await Admin.GetAsync("/api/projects?pageSize=2"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("GetProject", await Admin.GetAsync($"/api/projects/{projectId}"), HttpStatusCode.OK);

        await Contract.AssertResponseAsync("ListMembers", await Admin.GetAsync($"/api/projects/{projectId}/members"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("SetMembers", await Admin.PutAsJsonAsync($"/api/projects/{projectId}/members", new
        {
            members = new object[] { new { userId = "test-admin", role = "owner" }, new { userId = "alice", name = "Alice", role = "reader" } },
        }), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("ListMembers", await Admin.GetAsync($"/api/projects/{projectId}/members"), HttpStatusCode.OK);

        using var form = new MultipartFormDataContent
        {
            { new StringContent("""{"name": "contract ai", "type": "categorization", "trainingStatus": "done", "active": true, "modelVersion": "1.2.0", "hyperparameters": {"epochs": 3}}"""), "metadata" },
            { new ByteArrayContent([1, 2, 3]), "file", "model.pt" },
        };
        await Contract.AssertResponseAsync("RegisterAi", await Admin.PostAsync($"/api/projects/{projectId}/ais", form), HttpStatusCode.Created);
        await Contract.AssertResponseAsync("ListAis", await Admin.GetAsync($"/api/projects/{projectId}/ais"), HttpStatusCode.OK);

        await Contract.AssertResponseAsync("SetBackupPolicy", await Admin.PutAsync($"/api/projects/{projectId}/backup-policy",
            Json("""{"modes": ["dataset", "ai"], "schedule": "0 2 * * *", "retention": {"keepLast": 7, "monthly": 12}}""")), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("GetBackupPolicy", await Admin.GetAsync($"/api/projects/{projectId}/backup-policy"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("DeleteBackupPolicy", await Admin.DeleteAsync($"/api/projects/{projectId}/backup-policy"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Import_snapshot_restore_and_operation_answers_match_the_document()
    {
        var accepted = await Contract.AssertResponseAsync("StartImport",
            await Admin.PostZipAsync("/api/imports?name=contract-import", ExportArchives.SmallFixture()), HttpStatusCode.Accepted);
        var projectId = accepted.GetProperty("projectId").GetString()!;
        await service.WaitForOperationAsync(accepted.GetProperty("statusUri").GetString()!, TimeSpan.FromMinutes(2));
        await Contract.AssertResponseAsync("GetOperation", await Admin.GetAsync(accepted.GetProperty("statusUri").GetString()), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("GetProject", await Admin.GetAsync($"/api/projects/{projectId}"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("ListDocuments", await Admin.GetAsync($"/api/projects/{projectId}/documents?pageSize=1"), HttpStatusCode.OK);

        var started = await Contract.AssertResponseAsync("CreateSnapshot",
            await Admin.PostSnapshotAsync(projectId, ["dataset", "ai"], "contract"), HttpStatusCode.Accepted);
        var snapshotId = started.GetProperty("id").GetString()!;
        Assert.Equal("created", (await Admin.WaitForSnapshotAsync(snapshotId)).GetProperty("status").GetString());
        await Contract.AssertResponseAsync("GetSnapshot", await Admin.GetAsync($"/api/snapshots/{snapshotId}"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("ListSnapshots", await Admin.GetAsync($"/api/projects/{projectId}/snapshots"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("UpdateSnapshot",
            await Admin.PatchAsync($"/api/snapshots/{snapshotId}", Json("""{"description": "described"}""")), HttpStatusCode.OK);
        var download = await Admin.GetAsync($"/api/snapshots/{snapshotId}/download");
        var archive = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Empty(Contract.Check("DownloadSnapshot", (int)download.StatusCode, download.Content.Headers.ContentType?.MediaType, ""));

        await Contract.AssertResponseAsync("StartRestore",
            await Admin.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores", new { targetProjectId = projectId, dryRun = true, select = new { datasetStatus = new[] { "training" } } }), HttpStatusCode.OK);
        var restoreStarted = await Contract.AssertResponseAsync("StartRestore",
            await Admin.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores", new { projectName = "contract restore" }), HttpStatusCode.Accepted);
        var restoreId = restoreStarted.GetProperty("id").GetString()!;
        Assert.Equal("restored", (await Admin.WaitForRestoreAsync(restoreId)).GetProperty("status").GetString());
        await Contract.AssertResponseAsync("GetRestore", await Admin.GetAsync($"/api/restores/{restoreId}"), HttpStatusCode.OK);
        var merged = (await Admin.RestoreAsync(snapshotId, new { targetProjectId = projectId })).GetProperty("id").GetString()!;
        await Contract.AssertResponseAsync("GetRestore", await Admin.GetAsync($"/api/restores/{merged}"), HttpStatusCode.OK);
        await Eventually.ReturnsAsync(() => Admin.GetFromJsonAsync<JsonElement>($"/api/restores/{merged}"), r => r.GetProperty("revertible").GetBoolean(), TimeSpan.FromMinutes(1));
        await Contract.AssertResponseAsync("RevertRestore", await Admin.PostAsync($"/api/restores/{merged}/revert", null), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("RevertRestore", await Admin.PostAsync($"/api/restores/{merged}/revert", null), HttpStatusCode.Conflict);
        await Contract.AssertResponseAsync("CompareSnapshot", await Admin.GetAsync($"/api/snapshots/{snapshotId}/compare?with=project"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("CompareSnapshot", await Admin.GetAsync($"/api/snapshots/{snapshotId}/compare"), HttpStatusCode.BadRequest);
        await Contract.AssertResponseAsync("ListSnapshotRestores", await Admin.GetAsync($"/api/snapshots/{snapshotId}/restores"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("ListRestores", await Admin.GetAsync($"/api/restores?projectId={projectId}"), HttpStatusCode.OK);
        await Contract.AssertResponseAsync("RetryRestore", await Admin.PostAsync($"/api/restores/{restoreId}/retry", null), HttpStatusCode.Conflict);

        await Contract.AssertResponseAsync("StartImport",
            await Admin.PostZipAsync($"/api/imports?name=contract-dry-run&into={projectId}&dryRun=true", archive), HttpStatusCode.OK);
        var carried = await Contract.AssertResponseAsync("StartImport",
            await Admin.PostZipAsync("/api/imports?name=contract-carried", archive), HttpStatusCode.Accepted);
        Assert.Equal("restored", (await Admin.WaitForRestoreAsync(carried.GetProperty("id").GetString()!)).GetProperty("status").GetString());

        var ping = await Contract.AssertResponseAsync("StartPing", await Admin.PostAsync("/api/diagnostics/ping?activities=3", null), HttpStatusCode.Accepted);
        await service.WaitForOperationAsync(ping.GetProperty("statusUri").GetString()!);
        await Contract.AssertResponseAsync("GetOperation", await Admin.GetAsync(ping.GetProperty("statusUri").GetString()), HttpStatusCode.OK);

        await Contract.AssertResponseAsync("DeleteSnapshot", await Admin.DeleteAsync($"/api/snapshots/{snapshotId}"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Problem_answers_match_the_document()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "contract-problems");
        var snapshotId = (await Admin.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        var empty = (await Admin.PostAsJsonAsync("/api/projects", new { name = "contract empty" })).Content.ReadFromJsonAsync<JsonElement>();
        var emptyProjectId = (await empty).GetProperty("id").GetString()!;
        using var anonymous = service.ClientWith(null);
        using var reader = service.ClientWith(service.Token(new DevelopmentTokenRequest("r")
        {
            ProjectRoles = new Dictionary<string, string> { [projectId] = ProjectRoles.Reader },
        }));

        await Problem("CreateProject", await Admin.PostAsync("/api/projects", Json("{}")), HttpStatusCode.BadRequest);
        await Problem("ListProjects", await Admin.GetAsync("/api/projects?pageSize=0"), HttpStatusCode.BadRequest);
        await Problem("SetMembers", await Admin.PutAsync($"/api/projects/{projectId}/members", Json("""{"members": [{"userId": "x", "role": "reader"}]}""")), HttpStatusCode.BadRequest);
        await Problem("ListProjects", await anonymous.GetAsync("/api/projects"), HttpStatusCode.Unauthorized);
        await Problem("GetEnvironment", await anonymous.GetAsync("/api/environment"), HttpStatusCode.Unauthorized);
        await Problem("DeleteSnapshot", await reader.DeleteAsync($"/api/snapshots/{snapshotId}"), HttpStatusCode.Forbidden);
        await Problem("SetBackupPolicy", await reader.PutAsync($"/api/projects/{projectId}/backup-policy", Json("{}")), HttpStatusCode.Forbidden);
        await Problem("GetSnapshot", await Admin.GetAsync("/api/snapshots/no-such-snapshot"), HttpStatusCode.NotFound);
        await Problem("GetProject", await reader.GetAsync($"/api/projects/{emptyProjectId}"), HttpStatusCode.NotFound);
        await Problem("GetBackupPolicy", await Admin.GetAsync($"/api/projects/{projectId}/backup-policy"), HttpStatusCode.NotFound);
        await Problem("RestoreByIdentifier", await Admin.PostAsync("/api/restores", Json("""{"identifier": "x"}""")), HttpStatusCode.NotFound);
        await Problem("UpdateSnapshot", await Admin.PatchAsync($"/api/snapshots/{snapshotId}", Json("""{"modes": ["ai"]}""")), HttpStatusCode.Conflict);
        await Problem("CreateSnapshot", await Admin.PostSnapshotAsync(emptyProjectId, ["dataset"]), HttpStatusCode.Conflict);

        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "/api/imports?name=contract-too-large") { Content = new ByteArrayContent(new byte[ServiceFixture.MaxUploadBytes + 1]) };
        tooLarge.Headers.ExpectContinue = true;
        await Problem("StartImport", await Admin.SendAsync(tooLarge), HttpStatusCode.RequestEntityTooLarge);
    }

    private static async Task Problem(string operationId, HttpResponseMessage response, HttpStatusCode status)
    {
        var problem = await Contract.AssertResponseAsync(operationId, response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
