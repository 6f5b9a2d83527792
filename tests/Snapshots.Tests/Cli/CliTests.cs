using System.Net.Http.Json;
using System.Text.Json;
using Snapshots.Cli;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Cli;

/// <summary>The <c>snapshots</c> command line, run in-process against the real service.</summary>
[Collection(AccessTestGroup.Name)]
public sealed class CliTests : IDisposable
{
    private readonly ServiceFixture service;
    private readonly string workspace = Directory.CreateTempSubdirectory("snapshots-cli-").FullName;
    private readonly string keyFile;

    /// <summary>The commands run without --token: they sign in with the local key file, as on a developer's machine.</summary>
    public CliTests(ServiceFixture service)
    {
        this.service = service;
        keyFile = Path.Combine(workspace, "development-signing-key");
        File.WriteAllText(keyFile, service.SigningKey);
    }

    [Fact]
    public async Task Token_mints_a_project_scoped_token_the_service_honours()
    {
        var created = await service.Http.PostAsJsonAsync("/api/projects", new { name = "token test" });
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var (exit, token, error) = await RunAsync("token", "--user", "carol", "--project", projectId, "--role", "reader");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        using var reader = service.ClientWith(token.Trim());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await reader.GetAsync($"/api/projects/{projectId}")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync($"/api/projects/{projectId}/members", new { members = Array.Empty<object>() })).StatusCode);
    }

    [Fact]
    public async Task Token_without_the_local_key_says_how_to_get_one()
    {
        File.Delete(keyFile);

        var (exit, output, error) = await RunAsync("token", "--admin");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Empty(output);
        Assert.StartsWith("error: no local development key at ", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_wrong_token_is_one_line_and_exit_code_1()
    {
        var (exit, _, error) = await RunAsync("--token", "not-a-token", "list", "some-project");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("not a JSON Web Token", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Import_of_a_folder_prints_the_new_project_and_its_counts()
    {
        var folder = SmallExportFolder();

        var (exit, output, error) = await RunAsync("import", folder, "from the CLI");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Empty(error);
        Assert.Matches("Imported project [0-9a-f]{32} \\(from the CLI\\)", output);
        Assert.Contains("annotations", output);
    }

    [Fact]
    public async Task With_json_only_the_result_is_printed()
    {
        var (exit, output, _) = await RunAsync("--json", "import", SmallExportFolder(), "json");

        Assert.Equal(ExitCodes.Ok, exit);
        var project = JsonDocument.Parse(output).RootElement;
        Assert.Equal("json", project.GetProperty("name").GetString());
        Assert.Equal(FixtureFacts.Project46.Documents.Count, project.Get("counts.documents").GetInt32());
    }

    [Fact]
    public async Task A_bad_export_is_one_line_on_stderr_and_exit_code_1()
    {
        var folder = SmallExportFolder();
        File.Delete(Path.Combine(folder, "labels.json5"));

        var (exit, output, error) = await RunAsync("import", folder, "broken");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.StartsWith("error: labels.json5: missing", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("Imported", output);
    }

    [Fact]
    public async Task A_missing_path_is_exit_code_1()
    {
        var (exit, _, error) = await RunAsync("import", Path.Combine(workspace, "nothing-here"), "x");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("no such file or folder", error);
    }

    [Fact]
    public async Task An_unreachable_service_is_exit_code_3()
    {
        var (exit, _, error) = await RunWithUrlAsync("http://127.0.0.1:9", "project", "p1");

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Contains("cannot reach the snapshot service at http://127.0.0.1:9", error);
    }

    [Fact]
    public async Task Missing_arguments_are_a_usage_error()
    {
        var (exit, _, error) = await RunAsync("import");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Required argument 'path' missing", error);
    }

    [Fact]
    public async Task Create_download_verify_drill_and_restore_round_trip()
    {
        var (_, imported, _) = await RunAsync("--json", "import", SmallExportFolder(), "round trip");
        var projectId = JsonDocument.Parse(imported).RootElement.GetProperty("id").GetString()!;

        Assert.Equal(ExitCodes.Ok, (await RunAsync("create", projectId, "--mode", "dataset", "--description", "cli")).Exit);
        var (_, listed, _) = await RunAsync("--json", "list", projectId);
        var snapshotId = JsonDocument.Parse(listed).RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
        var zip = Path.Combine(workspace, "snapshot.zip");
        Assert.Equal(ExitCodes.Ok, (await RunAsync("download", snapshotId, "--output", zip)).Exit);
        var verified = await RunAsync("verify", zip);
        var stored = await RunAsync("verify", snapshotId, "--drill");
        var drillOfZip = await RunAsync("verify", zip, "--drill");
        var (restoreExit, restored, _) = await RunAsync("--json", "restore", snapshotId, "--name", "restored by the CLI");

        Assert.True(verified.Exit == ExitCodes.Ok, verified.Error);
        Assert.StartsWith("OK: snapshot", verified.Output);
        Assert.True(stored.Exit == ExitCodes.Ok, stored.Error);
        Assert.Contains($"OK: snapshot {snapshotId} verified (drill)", stored.Output);
        Assert.Equal(ExitCodes.Usage, drillOfZip.Exit);
        Assert.Contains("--drill needs a snapshot id", drillOfZip.Error);
        Assert.Equal(ExitCodes.Ok, restoreExit);
        Assert.Equal("restored", JsonDocument.Parse(restored).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Restore_with_dry_run_prints_the_plan_as_a_table_or_json_and_restores_nothing()
    {
        var (_, imported, _) = await RunAsync("--json", "import", SmallExportFolder(), "dry run source");
        var projectId = JsonDocument.Parse(imported).RootElement.GetProperty("id").GetString()!;
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");
        var snapshotId = snapshot.GetProperty("id").GetString()!;

        var (tableExit, table, _) = await RunAsync("restore", snapshotId, "--into", projectId, "--dry-run");
        var (jsonExit, json, _) = await RunAsync("--json", "restore", snapshotId, "--into", projectId, "--dry-run");

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (tableExit, jsonExit));
        var plan = JsonDocument.Parse(json).RootElement;
        Assert.True(plan.GetProperty("dryRun").GetBoolean());
        var labels = plan.Get("report.labels");
        Assert.Equal(0, labels.GetProperty("created").GetInt32());
        Assert.Contains("Dry run: nothing was written.", table);
        Assert.Matches($@"labels\s*\S\s*0\s*\S\s*{labels.GetProperty("matched").GetInt32()}\s", table);
        Assert.Matches($@"documents\s*\S\s*{snapshot.Get("counts.documents").GetInt32()}\s", table);
        Assert.Contains("left out: projectFile", table);
        var (selectiveExit, selective, _) = await RunAsync("--json", "restore", snapshotId, "--dataset-status", "test", "--category", "Lohnabrechnung", "--dry-run");
        var apiPlan = await (await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores",
            new { dryRun = true, select = new { datasetStatus = new[] { "test" }, categories = new[] { "Lohnabrechnung" } } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ExitCodes.Ok, selectiveExit);
        var selectivePlan = JsonDocument.Parse(selective).RootElement;
        Assert.Equal(apiPlan.Get("report.documents").GetInt32(), selectivePlan.Get("report.documents").GetInt32());
        Assert.InRange(selectivePlan.Get("report.documents").GetInt32(), 1, plan.Get("report.documents").GetInt32() - 1);
        Assert.Equal("test", selectivePlan.Get("selection.datasetStatus")[0].GetString());

        var restores = await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores?projectId={projectId}");
        Assert.Empty(restores.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Diff_prints_per_kind_changes_between_two_snapshots_or_against_the_project_and_refuses_both_or_neither()
    {
        var (_, imported, _) = await RunAsync("--json", "import", SmallExportFolder(), "diff source");
        var projectId = JsonDocument.Parse(imported).RootElement.GetProperty("id").GetString()!;
        var emptyId = (await service.Http.PostAsJsonAsync("/api/projects", new { name = "diff empty" })).Headers.Location!.ToString().Split('/').Last();
        var empty = (await service.Http.CreateSnapshotAsync(emptyId, "ai")).GetProperty("id").GetString()!;
        var full = (await service.Http.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        var documents = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{full}")).Get("counts.documents").GetInt32();

        var (tableExit, table, _) = await RunAsync("diff", empty, full);
        var (jsonExit, json, _) = await RunAsync("--json", "diff", full, "--project");
        var (neitherExit, _, neither) = await RunAsync("diff", full);
        var (bothExit, _, both) = await RunAsync("diff", full, empty, "--project");

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (tableExit, jsonExit));
        Assert.Matches($@"documents\s*\S\s*{documents}\s*\S\s*0\s*\S\s*0\s", table);
        Assert.Contains("Differs.", table);
        Assert.True(JsonDocument.Parse(json).RootElement.GetProperty("identical").GetBoolean());
        Assert.Equal((ExitCodes.Failed, ExitCodes.Failed), (neitherExit, bothExit));
        Assert.Contains("either another snapshot id or --project", neither);
        Assert.Contains("either another snapshot id or --project", both);
    }

    [Fact]
    public async Task Verify_reports_a_damaged_archive_with_exit_code_1()
    {
        var (_, imported, _) = await RunAsync("--json", "import", SmallExportFolder(), "to damage");
        var projectId = JsonDocument.Parse(imported).RootElement.GetProperty("id").GetString()!;
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");
        var damaged = new ZipRewriter(await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download"))
            .Replace("labels.ndjson", text => text.Replace("a", "b")).ToBytes();
        var zip = Path.Combine(workspace, "damaged.zip");
        await File.WriteAllBytesAsync(zip, damaged);

        var (exit, _, error) = await RunAsync("verify", zip);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("Checksum mismatch for 'labels.ndjson'", error);
    }

    [Fact]
    public async Task Verify_reports_an_intact_archive_with_wrong_content_naming_the_entry_and_line()
    {
        var (_, imported, _) = await RunAsync("--json", "import", SmallExportFolder(), "to contradict");
        var projectId = JsonDocument.Parse(imported).RootElement.GetProperty("id").GetString()!;
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");
        var contradictory = new ZipRewriter(await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download"))
            .EditLineSealed("annotations.ndjson", 0, a => a["labelId"] = "no-such-label").ToBytes();
        var zip = Path.Combine(workspace, "contradictory.zip");
        await File.WriteAllBytesAsync(zip, contradictory);

        var (exit, output, error) = await RunAsync("verify", zip);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Empty(output);
        Assert.Contains("annotations.ndjson line 1:", error);
        Assert.Contains("points to label 'no-such-label'", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Policy_sets_shows_and_removes_a_backup_policy()
    {
        var (_, imported, _) = await RunAsync("--json", "import", SmallExportFolder(), "with a policy");
        var projectId = JsonDocument.Parse(imported).RootElement.GetProperty("id").GetString()!;

        var set = await RunAsync("--json", "policy", projectId, "--cron", "0 3 * * *", "--mode", "ai", "--keep-last", "5");
        var shown = await RunAsync("--json", "policy", projectId);
        var bad = await RunAsync("policy", projectId, "--cron", "tomorrow");
        var removed = await RunAsync("policy", projectId, "--delete");

        Assert.Equal(ExitCodes.Ok, set.Exit);
        var policy = JsonDocument.Parse(shown.Output).RootElement;
        Assert.Equal("0 3 * * *", policy.GetProperty("schedule").GetString());
        Assert.Equal(5, policy.Get("retention.keepLast").GetInt32());
        Assert.Equal(ExitCodes.Failed, bad.Exit);
        Assert.StartsWith("error: 'schedule'", bad.Error);
        Assert.Equal(ExitCodes.Ok, removed.Exit);
        Assert.Equal(ExitCodes.Failed, (await RunAsync("policy", projectId)).Exit);
    }

    public void Dispose() => Directory.Delete(workspace, recursive: true);

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) =>
        RunWithUrlAsync(service.Http.BaseAddress!.ToString(), args);

    private async Task<(int Exit, string Output, string Error)> RunWithUrlAsync(string url, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync([.. args, "--url", url], new CliEnvironment(output, error)
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
            Variable = _ => null,
            DevelopmentKeyPath = keyFile,
        });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The fixture's schema and documents metadata with two document folders, copied to a temporary folder.</summary>
    private string SmallExportFolder()
    {
        var folder = Path.Combine(workspace, Guid.NewGuid().ToString("N"));
        var source = FixtureFacts.Project46.Folder;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            if (relative.StartsWith("documents/", StringComparison.Ordinal)
                && !relative.StartsWith("documents/44823/", StringComparison.Ordinal)
                && !relative.StartsWith("documents/44834/", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, relative))!);
            File.Copy(file, Path.Combine(folder, relative));
        }

        return folder;
    }
}
