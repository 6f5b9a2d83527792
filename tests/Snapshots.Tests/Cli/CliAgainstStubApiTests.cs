using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Snapshots.Cli;

namespace Snapshots.Tests.Cli;

// Inside the namespace: JsonSchema.Net brings a root namespace `Json` that would hide StubApiHandler.Json.
using static Snapshots.Tests.Cli.StubApiHandler;

/// <summary>The <c>snapshots</c> command line run in-process against a stub of the HTTP API: no service, no emulators.</summary>
public sealed class CliAgainstStubApiTests : IDisposable
{
    private const string Url = "http://snapshots.test";
    private const string Unreachable =
        "error: cannot reach the snapshot service at http://snapshots.test (is it running? start it with: dotnet run --project src/Snapshots.Local)";

    private const string ProjectJson = """
        {"id":"p1","name":"My project","description":null,"status":"active","createdAt":"2026-01-01T00:00:00Z",
         "counts":{"categories":2,"labels":5,"labelSets":3,"documents":4,
                   "documentsByDatasetStatus":{"none":1,"preparation":0,"training":2,"test":1,"excluded":0},
                   "annotationSets":6,"annotations":17,"ais":1,"pages":9}}
        """;

    private static readonly Dictionary<string, string> ExportFiles = new()
    {
        ["project.json"] = """{"id": 46, "name": "demo"}""",
        ["labels.json5"] = "[{id: 1, name: 'Total'}]",
        ["documents/7/document.json"] = """{"id": 7}""",
        ["documents/7/pages/1/page.txt"] = "page one",
    };

    private static readonly HttpMethod Get = HttpMethod.Get;
    private static readonly HttpMethod Post = HttpMethod.Post;

    private readonly string workspace = Directory.CreateTempSubdirectory("snapshots-cli-unit-").FullName;
    private readonly StubApiHandler api = new();

    [Fact]
    public async Task Download_in_konfuzio_format_asks_for_it_and_unpacks_into_a_folder()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("data_p1/documents_meta.json5").Open());
            writer.Write("[]");
        }

        api.On(Get, "/api/snapshots/s1/download", () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(zip.ToArray()) });
        var folder = Path.Combine(workspace, "konfuzio");

        var (exit, _, error) = await RunAsync("download", "s1", "--format", "konfuzio", "-o", folder);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Equal("?format=konfuzio", Assert.Single(api.To(Get, "/api/snapshots/s1/download")).Uri.Query);
        Assert.Equal("[]", await File.ReadAllTextAsync(Path.Combine(folder, "data_p1", "documents_meta.json5")));
    }

    [Fact]
    public async Task Download_in_konfuzio_format_refuses_a_folder_that_is_not_empty()
    {
        var folder = Directory.CreateDirectory(Path.Combine(workspace, "used")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "old.json5"), "[]");

        var (exit, _, error) = await RunAsync("download", "s1", "--format", "konfuzio", "-o", folder);

        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains("not empty", error);
        Assert.Empty(api.To(Get, "/api/snapshots/s1/download"));
    }

    [Fact]
    public async Task Download_in_an_unknown_format_is_refused_before_any_request()
    {
        var (exit, _, error) = await RunAsync("download", "s1", "--format", "tar");

        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains("tar", error);
        Assert.Empty(api.To(Get, "/api/snapshots/s1/download"));
    }

    [Fact]
    public async Task Import_of_a_folder_uploads_a_zip_of_its_files_polls_until_completed_and_prints_the_project()
    {
        api.On(Post, "/api/imports", Accepted())
            .On(Get, "/api/operations/imp1", Operation("Running", "schema", 0, 2), Operation("Running", "documents", 1, 2), Operation("Completed", "documents", 2, 2))
            .On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));

        var (exit, output, error) = await RunAsync("import", ExportFolder(), "My project");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Contains("Imported project p1 (My project)", output);
        Assert.Matches(@"\bannotations\W+17\b", output);
        Assert.Matches(@"\bdocumentsByDatasetStatus\.training\W+2\b", output);

        var upload = Assert.Single(api.To(Post, "/api/imports"));
        Assert.Equal("?name=My%20project", upload.Uri.Query);
        Assert.Equal("application/zip", upload.ContentType);
        Assert.Equal(upload.Body.Length, upload.ContentLength);
        using var zip = new ZipArchive(new MemoryStream(upload.Body));
        Assert.Equal(ExportFiles.Keys.Order(), zip.Entries.Select(entry => entry.FullName).Order());
        Assert.All(zip.Entries, entry => Assert.Equal(ExportFiles[entry.FullName], new StreamReader(entry.Open()).ReadToEnd()));

        // Polled until Completed and no further; the project is read once, after.
        Assert.Equal(3, api.To(Get, "/api/operations/imp1").Count());
        Assert.Single(api.To(Get, "/api/projects/p1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_asks_to_share_the_uploaded_archive_only_with_share(bool share)
    {
        api.On(Post, "/api/imports", Accepted())
            .On(Get, "/api/operations/imp1", Operation("Completed", "documents", 1, 1))
            .On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));

        var (exit, _, _) = share ? await RunAsync("import", ExportFolder(), "My project", "--share") : await RunAsync("import", ExportFolder(), "My project");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(share, Assert.Single(api.To(Post, "/api/imports")).Uri.Query.Contains("share=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_of_a_zip_uploads_its_bytes_unchanged()
    {
        var zipPath = Path.Combine(workspace, "export.zip");
        ZipFile.CreateFromDirectory(ExportFolder(), zipPath);
        api.On(Post, "/api/imports", Accepted())
            .On(Get, "/api/operations/imp1", Operation("Completed", "documents", 1, 1))
            .On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));

        var (exit, _, _) = await RunAsync("import", zipPath, "My project");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(await File.ReadAllBytesAsync(zipPath), Assert.Single(api.To(Post, "/api/imports")).Body);
        Assert.True(File.Exists(zipPath), "the user's zip must not be deleted");
    }

    [Fact]
    public async Task Import_of_a_snapshot_zip_follows_the_restore_it_starts_under_the_base_path()
    {
        api.On(Post, "/prefix/api/imports", Json(HttpStatusCode.Accepted, """{"id":"r1","projectId":"p1","status":"queuing","statusUri":"/api/restores/r1"}"""))
            .On(Get, "/prefix/api/restores/r1",
                Json(HttpStatusCode.OK, """{"id":"r1","status":"inProgress","progress":{"stage":"documents","documents":{"done":1,"total":2}}}"""),
                Json(HttpStatusCode.OK, """{"id":"r1","status":"restored","statusText":"Snapshot restored."}"""))
            .On(Get, "/prefix/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));

        var (exit, output, error) = await RunAsync("import", ExportFolder(), "My project", "--url", Url + "/prefix/");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Contains("Imported project p1", output);
        Assert.Equal(2, api.To(Get, "/prefix/api/restores/r1").Count());
    }

    [Fact]
    public async Task A_problem_answer_is_its_detail_on_one_line_of_stderr_and_exit_code_1()
    {
        api.On(Post, "/api/imports", Problem(HttpStatusCode.BadRequest, "labels.json5: missing"));

        var (exit, output, error) = await RunAsync("import", ExportFolder(), "broken");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("error: labels.json5: missing" + Environment.NewLine, error);
        Assert.DoesNotContain("Imported", output);
        Assert.Empty(api.To(Get, "/api/operations/imp1"));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "No project with id 'p1'.\nCheck the id.", "error: No project with id 'p1'. Check the id.")]
    [InlineData(HttpStatusCode.Conflict, "", "error: Conflict")]
    [InlineData(HttpStatusCode.InternalServerError, "boom", "error: boom")]
    public async Task Every_refusal_is_one_line_and_exit_code_1(HttpStatusCode status, string detail, string expected)
    {
        api.On(Get, "/api/projects/p1", Problem(status, detail));

        var (exit, _, error) = await RunAsync("project", "p1");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal(expected + Environment.NewLine, error);
    }

    [Fact]
    public async Task An_import_when_the_service_cannot_be_reached_is_exit_code_3()
    {
        api.Failure = ConnectionRefused();

        var (exit, output, error) = await RunAsync("import", ExportFolder(), "x");

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Equal(Unreachable + Environment.NewLine, error);
        Assert.DoesNotContain("Imported", output);
    }

    [Theory]
    [InlineData("project", "p1")]
    [InlineData("operation", "o1")]
    public async Task A_command_when_the_service_cannot_be_reached_is_exit_code_3(string command, string id)
    {
        api.Failure = ConnectionRefused();

        var (exit, _, error) = await RunAsync(command, id);

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Equal(Unreachable + Environment.NewLine, error);
    }

    [Fact]
    public async Task With_json_an_import_prints_only_the_project_json()
    {
        api.On(Post, "/api/imports", Accepted())
            .On(Get, "/api/operations/imp1", Operation("Running", "documents", 1, 2), Operation("Completed", "documents", 2, 2))
            .On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));

        var (exit, output, error) = await RunAsync("--json", "import", ExportFolder(), "My project");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        using var project = JsonDocument.Parse(output); // fails if anything but the JSON was printed
        Assert.Equal("p1", project.RootElement.GetProperty("id").GetString());
        Assert.Equal(17, project.RootElement.GetProperty("counts").GetProperty("annotations").GetInt32());
    }

    [Theory]
    [InlineData("project", "p1", "/api/projects/p1", "id", "p1")]
    [InlineData("operation", "o1", "/api/operations/o1", "status", "Running")]
    public async Task With_json_a_command_prints_the_raw_answer(string command, string id, string path, string property, string expected)
    {
        api.On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson))
            .On(Get, "/api/operations/o1", Operation("Running", "documents", 1, 2));

        var (exit, output, _) = await RunAsync(command, id, "--json");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Single(api.To(Get, path));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(expected, json.RootElement.GetProperty(property).GetString());
    }

    [Fact]
    public async Task A_failed_import_exits_1_with_the_operation_error()
    {
        api.On(Post, "/api/imports", Accepted())
            .On(Get, "/api/operations/imp1",
                Operation("Running", "documents", 0, 2),
                Operation("Failed", "documents", 1, 2, "Import failed: documents/7/document.json is not valid JSON"));

        var (exit, output, error) = await RunAsync("import", ExportFolder(), "My project");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("error: Import failed: documents/7/document.json is not valid JSON" + Environment.NewLine, error);
        Assert.DoesNotContain("Imported", output);
        Assert.Empty(api.To(Get, "/api/projects/p1"));
    }

    [Fact]
    public async Task Cancel_waits_until_the_restore_is_cancelled_and_says_the_project_is_as_it_was()
    {
        api.On(Post, "/api/restores/r1/cancel", Json(HttpStatusCode.Accepted, """{"id":"r1","projectId":"p1","status":"inProgress","statusUri":"/api/restores/r1"}"""))
            .On(Get, "/api/restores/r1",
                Json(HttpStatusCode.OK, """{"id":"r1","projectId":"p1","status":"inProgress","progress":{"stage":"discarding","documents":{"done":1,"total":2}}}"""),
                Json(HttpStatusCode.OK, """{"id":"r1","projectId":"p1","status":"cancelled","statusText":"Snapshot restoration cancelled."}"""));

        var (exit, output, error) = await RunAsync("cancel", "r1");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Contains("Snapshot restoration cancelled. Project p1 is as it was.", output);
    }

    [Fact]
    public async Task Cancel_of_a_restore_that_got_published_meanwhile_is_refused()
    {
        api.On(Post, "/api/restores/r1/cancel", Json(HttpStatusCode.Accepted, """{"id":"r1","projectId":"p1","status":"inProgress","statusUri":"/api/restores/r1"}"""))
            .On(Get, "/api/restores/r1", Json(HttpStatusCode.OK, """{"id":"r1","projectId":"p1","status":"restored","statusText":"Snapshot restored."}"""));

        var (exit, _, error) = await RunAsync("cancel", "r1");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("error: Snapshot restored." + Environment.NewLine, error);
    }

    [Fact]
    public async Task A_terminated_import_without_an_error_says_how_it_ended()
    {
        api.On(Post, "/api/imports", Accepted())
            .On(Get, "/api/operations/imp1", Operation("Terminated", "documents", 1, 2));

        var (exit, _, error) = await RunAsync("--json", "import", ExportFolder(), "My project");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("error: the operation ended with status Terminated" + Environment.NewLine, error);
    }

    [Fact]
    public async Task Project_prints_its_name_id_status_and_every_count_the_api_returns()
    {
        api.On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));

        var (exit, output, error) = await RunAsync("project", "p1");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Matches(@"\bname\W+My project\b", output);
        Assert.Matches(@"\bid\W+p1\b", output);
        Assert.Matches(@"\bstatus\W+active\b", output);
        Assert.Matches(@"\blabelSets\W+3\b", output);
        Assert.Matches(@"\bdocumentsByDatasetStatus\.none\W+1\b", output);
        Assert.Matches(@"\bpages\W+9\b", output); // a count this CLI does not know yet
    }

    [Fact]
    public async Task Names_with_console_markup_characters_are_printed_as_they_are()
    {
        api.On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson.Replace("\"My project\"", "\"Invoices [2024] [/]\"")));

        var (exit, output, error) = await RunAsync("project", "p1");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Contains("Invoices [2024] [/]", output);
    }

    [Fact]
    public async Task Operation_prints_its_status()
    {
        api.On(Get, "/api/operations/o1", Operation("Failed", "documents", 1, 2, "no space left"));

        var (exit, output, _) = await RunAsync("operation", "o1");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Matches(@"\bstatus\W+Failed\b", output);
        Assert.Contains("no space left", output);
    }

    [Fact]
    public async Task Url_and_token_come_from_the_environment_and_the_token_is_a_bearer_header()
    {
        api.On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));
        var variables = new Dictionary<string, string> { ["SNAPSHOTS_URL"] = "http://from-env.test", ["SNAPSHOTS_TOKEN"] = "t0k" };

        var (exit, _, _) = await RunWithAsync(name => variables.GetValueOrDefault(name), "project", "p1");

        Assert.Equal(ExitCodes.Ok, exit);
        var request = Assert.Single(api.Requests);
        Assert.Equal("from-env.test", request.Uri.Host);
        Assert.Equal("Bearer t0k", request.Authorization);
    }

    [Fact]
    public async Task Options_win_over_the_environment_and_no_token_sends_no_authorization()
    {
        api.On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, ProjectJson));
        var variables = new Dictionary<string, string> { ["SNAPSHOTS_URL"] = "http://from-env.test", ["SNAPSHOTS_TOKEN"] = "t0k" };

        await RunWithAsync(name => variables.GetValueOrDefault(name), "project", "p1", "--url", "http://option.test", "--token", "opt");
        await RunAsync("project", "p1");

        Assert.Equal(new[] { "option.test", "snapshots.test" }, api.Requests.Select(r => r.Uri.Host));
        Assert.Equal(new[] { "Bearer opt", null }, api.Requests.Select(r => r.Authorization));
    }

    [Theory]
    [InlineData("import")]
    [InlineData("project")]
    [InlineData("frobnicate")]
    [InlineData("project", "p1", "--url", "localhost:7071")]
    [InlineData("project", "p1", "--url", "ftp://snapshots.test")]
    public async Task Usage_errors_are_exit_code_2_without_a_stack_trace(params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.NotEmpty(error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task An_answer_that_is_not_json_is_one_line_and_exit_code_1()
    {
        api.On(Get, "/api/projects/p1", Json(HttpStatusCode.OK, "<html>proxy login</html>", "text/html"));

        var (exit, _, error) = await RunAsync("project", "p1");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.StartsWith("error: the service answered GET http://snapshots.test/api/projects/p1 with something that is not a JSON object", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Any_other_failure_is_one_line_and_exit_code_1_without_a_stack_trace()
    {
        api.Failure = new InvalidOperationException("something nobody expected");

        var (exit, _, error) = await RunAsync("project", "p1");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("error: something nobody expected" + Environment.NewLine, error);
    }

    [Fact]
    public async Task An_accepted_import_without_a_status_uri_is_one_line_and_exit_code_1()
    {
        api.On(Post, "/api/imports", Json(HttpStatusCode.Accepted, """{"id":"imp1","projectId":"p1"}"""));

        var (exit, _, error) = await RunAsync("import", ExportFolder(), "x");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("error: the service's answer has no 'statusUri'" + Environment.NewLine, error);
    }

    [Fact]
    public async Task A_missing_path_is_exit_code_1_before_any_request()
    {
        var (exit, _, error) = await RunAsync("import", Path.Combine(workspace, "nothing-here"), "x");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.EndsWith("nothing-here: no such file or folder" + Environment.NewLine, error);
        Assert.Empty(api.Requests);
    }

    public void Dispose()
    {
        api.Dispose();
        Directory.Delete(workspace, recursive: true);
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) =>
        RunWithAsync(name => name == "SNAPSHOTS_URL" ? Url : null, args);

    private async Task<(int Exit, string Output, string Error)> RunWithAsync(Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, new CliEnvironment(output, error)
        {
            Handler = api,
            DevelopmentKeyPath = null,
            PollInterval = TimeSpan.Zero,
            Variable = variables,
        });
        return (exit, output.ToString(), error.ToString());
    }

    private string ExportFolder()
    {
        var folder = Path.Combine(workspace, Guid.NewGuid().ToString("N"));
        foreach (var (relative, text) in ExportFiles)
        {
            var path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        return folder;
    }

    private static Func<HttpResponseMessage> Accepted() => () =>
    {
        var response = Json(HttpStatusCode.Accepted, $$"""{"id":"imp1","statusUri":"{{Url}}/api/operations/imp1","projectId":"p1"}""")();
        response.Headers.Location = new Uri($"{Url}/api/operations/imp1");
        return response;
    };

    private static Func<HttpResponseMessage> Operation(string status, string stage, int done, int total, string? error = null) =>
        Json(HttpStatusCode.OK, JsonSerializer.Serialize(new
        {
            id = "imp1",
            name = "ImportProjectOrchestrator",
            status,
            createdAt = "2026-01-01T00:00:00Z",
            lastUpdatedAt = "2026-01-01T00:00:01Z",
            progress = new { stage, documentsDone = done, documentsTotal = total },
            output = (object?)null,
            error,
        }));

    private static HttpRequestException ConnectionRefused() =>
        new(HttpRequestError.ConnectionError, "Connection refused (snapshots.test:80)", new SocketException((int)SocketError.ConnectionRefused));
}
