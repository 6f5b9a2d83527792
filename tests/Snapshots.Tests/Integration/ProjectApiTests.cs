using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Local;
using Snapshots.Projects;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

[Collection(ServiceTestGroup.Name)]
public sealed class ProjectApiTests(ServiceFixture service)
{
    [Fact]
    public async Task A_created_project_is_listed_and_empty()
    {
        var response = await service.Http.PostAsJsonAsync("/api/projects", new { name = "  Empty project ", description = "nothing yet" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/api/projects/{id}", response.Headers.Location?.OriginalString);
        Assert.Contains(id, await service.Http.ListProjectIdsAsync());
        var project = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{id}");
        Assert.Equal("Empty project", project.GetProperty("name").GetString());
        Assert.Equal(0, project.Get("counts.documents").GetInt32());
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("{\"name\": \"   \"}", "name")]
    [InlineData("{\"name\": ", "not valid JSON")]
    public async Task Creating_a_project_with_a_bad_body_is_a_400(string body, string detail)
    {
        var response = await service.Http.PostAsync("/api/projects", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_registered_ai_keeps_its_metadata_and_its_model_file()
    {
        var projectId = await CreateProjectAsync("with an AI");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("""{"name": "Invoice splitter", "type": "splitting", "trainingStatus": "done", "active": true, "modelVersion": "2.1.0", "trainedAt": "2026-01-02T03:04:05Z", "hyperparameters": {"epochs": 12}}"""), "metadata" },
            { new ByteArrayContent(new byte[1000]), "file", "model.pt" },
        };

        var response = await service.Http.PostAsync($"/api/projects/{projectId}/ais", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ais = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/ais");
        var ai = Assert.Single(ais.GetProperty("items").EnumerateArray());
        Assert.Equal("splitting", ai.GetProperty("type").GetString());
        Assert.Equal("done", ai.GetProperty("trainingStatus").GetString());
        Assert.Equal(12, ai.Get("hyperparameters.epochs").GetInt32());
        var file = Assert.Single(ai.GetProperty("files").EnumerateArray());
        Assert.Equal(("model.pt", 1000), (file.GetProperty("name").GetString(), file.GetProperty("bytes").GetInt32()));
        Assert.Equal(1, (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).Get("counts.ais").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_json_body_over_one_mebibyte_is_a_413_problem_and_creates_nothing(bool chunked)
    {
        var body = "{\"name\": \"too big\", \"description\": \"" + new string('x', 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/projects")
        {
            Content = chunked ? new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body))) : new StringContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = chunked;
        var before = await service.Http.ListProjectIdsAsync();

        var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("1048576 bytes", (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
        Assert.Equal(before, await service.Http.ListProjectIdsAsync());
    }

    [Fact]
    public async Task A_json_body_just_under_the_limit_is_read()
    {
        var padding = new string(' ', 1024 * 1024 - 100);
        using var content = new StringContent("{\"name\": \"padded\"" + padding + "}", System.Text.Encoding.UTF8, "application/json");

        var response = await service.Http.PostAsync("/api/projects", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Registering_an_ai_under_an_id_in_use_is_a_409_and_keeps_the_first_one()
    {
        var projectId = await CreateProjectAsync("AI id taken");
        HttpContent Form(string name, int bytes) => new MultipartFormDataContent
        {
            { new StringContent($$"""{"id": "ai-1", "name": "{{name}}", "type": "extraction"}"""), "metadata" },
            { new ByteArrayContent(new byte[bytes]), "file", "model.pt" },
        };

        Assert.Equal(HttpStatusCode.Created, (await service.Http.PostAsync($"/api/projects/{projectId}/ais", Form("first", 10))).StatusCode);
        var second = await service.Http.PostAsync($"/api/projects/{projectId}/ais", Form("second", 20));

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("'ai-1'", (await second.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
        var ai = Assert.Single((await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/ais")).GetProperty("items").EnumerateArray());
        Assert.Equal("first", ai.GetProperty("name").GetString());
        Assert.Equal(10, Assert.Single(ai.GetProperty("files").EnumerateArray()).GetProperty("bytes").GetInt32());
    }

    [Theory]
    [InlineData("""{"type": "extraction"}""", "'name'")]
    [InlineData("""{"name": "x", "type": "telepathy"}""", "not a valid AI description")]
    [InlineData("""{"name": "x", "type": "extraction", "id": "../escape"}""", "id")]
    public async Task Registering_an_ai_with_bad_metadata_is_a_400(string metadata, string detail)
    {
        var projectId = await CreateProjectAsync("bad AI");
        using var form = new MultipartFormDataContent { { new StringContent(metadata), "metadata" } };

        var response = await service.Http.PostAsync($"/api/projects/{projectId}/ais", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Registering_an_ai_in_an_unknown_project_is_a_404()
    {
        using var form = new MultipartFormDataContent { { new StringContent("""{"name": "x", "type": "extraction"}"""), "metadata" } };

        var response = await service.Http.PostAsync("/api/projects/nope/ais", form);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_seed_generator_builds_a_project_of_the_requested_size_with_every_ai_variant()
    {
        var seeder = service.Services.GetRequiredService<SyntheticProjectSeeder>();

        var projectId = await seeder.SeedAsync(new SeedSpec { Documents = 14, AnnotationsPerDocument = 3, Ais = 9, DocumentFileBytes = 100, ModelFileBytes = 100 });

        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        Assert.Equal(14, counts.GetProperty("documents").GetInt32());
        Assert.Equal(42, counts.GetProperty("annotations").GetInt32());
        Assert.Equal(9, counts.GetProperty("ais").GetInt32());
        Assert.All(new[] { "none", "preparation", "training", "test", "excluded" },
            status => Assert.True(counts.GetProperty("documentsByDatasetStatus").GetProperty(status).GetInt32() > 0, status));
        var ais = await service.Services.GetRequiredService<ProjectStore>().ListAsync<AiModel>(projectId, default).CollectAsync();
        Assert.Equal(SyntheticProjectSeeder.AiVariants.Select(v => (v.Type, v.Status, v.Active)).Order(), ais.Select(a => (a.Type, a.TrainingStatus, a.Active)).Order());
    }

    [Fact]
    public async Task The_demo_project_is_loaded_once()
    {
        var loader = service.Services.GetRequiredService<DemoProjectLoader>();

        await loader.LoadAsync(RepositoryPaths.Root, default);
        var demos = await Eventually.ReturnsAsync(DemoProjectsAsync, found => found.Count > 0, TimeSpan.FromMinutes(1));
        await loader.LoadAsync(RepositoryPaths.Root, default);

        Assert.Single(demos);
        Assert.Equal(demos, await DemoProjectsAsync());
        var demo = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{demos[0]}");
        Assert.Equal(FixtureFacts.Project46.Documents.Count, demo.Get("counts.documents").GetInt32());
    }

    private async Task<List<string>> DemoProjectsAsync()
    {
        var projects = await service.Http.GetFromJsonAsync<JsonElement>("/api/projects?pageSize=1000");
        return projects.GetProperty("items").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() == DemoProjectLoader.ProjectName)
            .Select(p => p.GetProperty("id").GetString()!)
            .ToList();
    }

    private async Task<string> CreateProjectAsync(string name)
    {
        var response = await service.Http.PostAsJsonAsync("/api/projects", new { name });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
