using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Snapshots.Access;
using Snapshots.Archive;
using Snapshots.Local;
using Snapshots.Local.Durable;
using Snapshots.Local.Emulators;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Snapshots moving between installations: by identifier over shared storage, and as a carried zip.</summary>
[Collection(AccessTestGroup.Name)]
public sealed class PortabilityTests(ServiceFixture service)
{
    private static readonly SeedSpec Spec = new() { Documents = 7, AnnotationsPerDocument = 2, Ais = 9, DocumentFileBytes = 200, ModelFileBytes = 100 };

    [Fact]
    public async Task Another_environment_sharing_the_snapshot_storage_restores_by_identifier()
    {
        var snapshot = await CreateSnapshotAsync("dataset", "ai");
        var identifier = snapshot.GetProperty("identifier").GetString()!;
        await using var other = await OtherEnvironment.StartAsync(service, restoreAcrossEnvironments: true);

        var dryRun = await other.Http.PostAsJsonAsync("/api/restores", new { identifier, projectName = "moved", dryRun = true });
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        var plan = await dryRun.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty((await other.Http.GetFromJsonAsync<JsonElement>("/api/projects")).GetProperty("items").EnumerateArray());
        var response = await other.Http.PostAsJsonAsync("/api/restores", new { identifier, projectName = "moved" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>();
        var restore = await other.Http.WaitForRestoreAsync(started.GetProperty("id").GetString()!);

        Assert.Equal("restored", restore.GetProperty("status").GetString());
        Assert.True(JsonElement.DeepEquals(plan.GetProperty("report"), restore.GetProperty("report")), $"plan {plan.GetProperty("report")}\nrestore {restore.GetProperty("report")}");
        var projectId = restore.GetProperty("projectId").GetString()!;
        var counts = (await other.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        Assert.Equal(snapshot.Get("counts.documents").GetInt32(), counts.GetProperty("documents").GetInt32());
        Assert.Equal(snapshot.Get("counts.ais").GetInt32(), counts.GetProperty("ais").GetInt32());
        var listed = await other.Http.GetFromJsonAsync<JsonElement>($"/api/restores?projectId={projectId}");
        Assert.Equal(restore.GetProperty("id").GetString(), Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/api/projects/{snapshot.GetProperty("projectId").GetString()}")).StatusCode);

        var unknown = await other.Http.PostAsJsonAsync("/api/restores", new { identifier = "snp-doesnotexist000000" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_snapshot_another_environment_is_restoring_cannot_be_deleted_until_that_restore_ends()
    {
        var snapshot = await CreateSnapshotAsync("dataset", "ai");
        var identifier = snapshot.GetProperty("identifier").GetString()!;
        var faults = new ActivityFaults();
        var held = faults.HoldOnce(identifier, "RestoreSchema");
        await using var other = await OtherEnvironment.StartAsync(service, restoreAcrossEnvironments: true, faults);

        var started = await (await other.Http.PostAsJsonAsync("/api/restores", new { identifier, projectName = "reading" })).Content.ReadFromJsonAsync<JsonElement>();
        await held.Reached.WaitAsync(TimeSpan.FromMinutes(1));
        var refused = await service.Http.DeleteAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}");
        held.Release();

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("restor", (await refused.ReadJsonObjectAsync())["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("restored", (await other.Http.WaitForRestoreAsync(started.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        // The mark goes with the restore's clean-up, just after "restored".
        var deleted = await Eventually.ReturnsAsync(() => service.Http.DeleteAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}"),
            r => r.StatusCode != HttpStatusCode.Conflict, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task An_uploaded_snapshot_zip_leaves_the_snapshot_storage_once_its_restore_has_restored()
    {
        var snapshot = await CreateSnapshotAsync("dataset");
        var zip = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");

        var restore = await ImportSnapshotAsync(zip, "/api/imports?name=carried");

        var identifier = restore.GetProperty("identifier").GetString()!;
        Assert.StartsWith("imp-", identifier);
        var blobs = service.Services.GetRequiredService<SnapshotBlobs>();
        // The manifest (the commit marker) goes first, then the rest under the identifier.
        await Eventually.ReturnsAsync(() => blobs.ReadManifestAsync(identifier, default), manifest => manifest is null, TimeSpan.FromMinutes(1));
        await Eventually.ReturnsAsync(async () => (bool)await blobs.Archive(identifier).ExistsAsync(), exists => !exists, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task An_uploaded_snapshot_zip_is_private_to_its_environment_unless_shared_and_expires()
    {
        var snapshot = await CreateSnapshotAsync("dataset");
        var zip = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");
        var kept = await UploadArchiveAsync(zip, share: false);
        var shared = await UploadArchiveAsync(zip, share: true);
        await using var other = await OtherEnvironment.StartAsync(service, restoreAcrossEnvironments: true);

        var refused = await other.Http.PostAsJsonAsync("/api/restores", new { identifier = kept, projectName = "not yours" });
        var accepted = await other.Http.PostAsJsonAsync("/api/restores", new { identifier = shared, projectName = "shared with you" });

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("restored", (await other.Http.WaitForRestoreAsync((await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!)).GetProperty("status").GetString());

        // Its restore never came: the private one goes after the retention, the shared one stays.
        var blobs = service.Services.GetRequiredService<SnapshotBlobs>();
        var expiring = new ImportedArchives(blobs, service.Services.GetRequiredService<IOptions<Snapshots.Configuration.SnapshotsOptions>>(),
            Options.Create(new Imports.ImportOptions { ImportedArchiveRetention = TimeSpan.Zero }), TimeProvider.System);
        Assert.True(await expiring.ExpireAsync(default) >= 1);
        Assert.Null(await blobs.ReadManifestAsync(kept, default));
        Assert.NotNull(await blobs.ReadManifestAsync(shared, default));
    }

    private async Task<string> UploadArchiveAsync(byte[] zip, bool share)
    {
        var importId = Guid.NewGuid().ToString("N");
        await service.Services.GetRequiredService<Imports.ImportStaging>().UploadAsync(importId, new MemoryStream(zip), zip.Length, default);
        var identifier = SnapshotIdentifiers.New(ImportedArchives.Prefix);
        await service.Services.GetRequiredService<Imports.SnapshotArchiveImporter>().AdmitAsync(importId, identifier, share, default);
        return identifier;
    }

    [Fact]
    public async Task Restore_by_identifier_needs_the_restorer_role_and_a_merge_also_write_access_to_its_target()
    {
        var identifier = (await CreateSnapshotAsync("dataset")).GetProperty("identifier").GetString()!;
        await using var other = await OtherEnvironment.StartAsync(service, restoreAcrossEnvironments: true);
        var target = (await (await other.Http.PostAsJsonAsync("/api/projects", new { name = "merge target" })).ReadJsonObjectAsync())["id"]!.GetValue<string>();
        HttpClient As(string user, string? roleOnTarget, bool restorer) => other.ClientWith(service.Token(new DevelopmentTokenRequest(user)
        {
            EnvironmentRoles = restorer ? [EnvironmentRoles.Restorer] : [],
            ProjectRoles = roleOnTarget is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [target] = roleOnTarget },
        }));
        using var plain = As("paul", null, restorer: false);
        using var maintainerOnly = As("max", ProjectRoles.Maintainer, restorer: false);
        using var restoringReader = As("rob", ProjectRoles.Reader, restorer: true);
        using var restorer = As("rita", null, restorer: true);
        using var restoringMaintainer = As("mia", ProjectRoles.Maintainer, restorer: true);

        var plainNew = await plain.PostAsJsonAsync("/api/restores", new { identifier });
        var maintainerMerge = await maintainerOnly.PostAsJsonAsync("/api/restores", new { identifier, targetProjectId = target });
        var readerMerge = await restoringReader.PostAsJsonAsync("/api/restores", new { identifier, targetProjectId = target });
        var restorerHiddenMerge = await restorer.PostAsJsonAsync("/api/restores", new { identifier, targetProjectId = target });
        var restorerNew = await restorer.PostAsJsonAsync("/api/restores", new { identifier });
        var merge = await restoringMaintainer.PostAsJsonAsync("/api/restores", new { identifier, targetProjectId = target });

        Assert.Equal(HttpStatusCode.Forbidden, plainNew.StatusCode);
        Assert.Contains(EnvironmentRoles.Restorer, (await plainNew.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, maintainerMerge.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, readerMerge.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, restorerHiddenMerge.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, restorerNew.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, merge.StatusCode);
        var created = await restorer.WaitForRestoreAsync((await restorerNew.ReadJsonObjectAsync())["id"]!.GetValue<string>());
        await restoringMaintainer.WaitForRestoreAsync((await merge.ReadJsonObjectAsync())["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await restorer.GetAsync($"/api/projects/{created.GetProperty("projectId").GetString()}")).StatusCode);
    }

    [Fact]
    public async Task Restore_by_identifier_does_not_exist_when_it_is_not_enabled()
    {
        var snapshot = await CreateSnapshotAsync("ai");

        var response = await service.Http.PostAsJsonAsync("/api/restores", new { identifier = snapshot.GetProperty("identifier").GetString() });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("RestoreAcrossEnvironments", (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_carried_snapshot_zip_is_imported_as_a_new_project_or_merged_into_one()
    {
        var snapshot = await CreateSnapshotAsync("dataset", "ai");
        var zip = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");

        var created = await ImportSnapshotAsync(zip, "/api/imports?name=carried");
        var target = created.GetProperty("projectId").GetString()!;
        var merged = await ImportSnapshotAsync(zip, $"/api/imports?name=again&into={target}");

        Assert.Equal("carried", created.GetProperty("projectName").GetString());
        Assert.Equal(target, merged.GetProperty("projectId").GetString());
        Assert.True(merged.GetProperty("merge").GetBoolean());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{target}")).GetProperty("counts");
        Assert.Equal(2 * snapshot.Get("counts.documents").GetInt32(), counts.GetProperty("documents").GetInt32());
        Assert.Equal(snapshot.Get("counts.labels").GetInt32(), counts.GetProperty("labels").GetInt32());
    }

    [Fact]
    public async Task A_version_1_archive_with_its_files_in_the_manifest_still_verifies_and_restores()
    {
        var snapshot = await CreateSnapshotAsync("dataset", "ai");
        var zip = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");
        var version1 = new ZipRewriter(zip).ToVersion1();
        Assert.DoesNotContain(version1.Names, n => n.StartsWith(ArchiveEntries.IndexFolder, StringComparison.Ordinal));
        var bytes = version1.ToBytes();
        using (var reader = SnapshotArchiveReader.Open(new MemoryStream(bytes), new Imports.ImportOptions()))
        {
            await reader.VerifyAsync(default);
            Assert.Equal(1, reader.Manifest.Version);
            Assert.Equal(snapshot.Get("counts.files").GetInt32(), reader.Manifest.Parts.Count(p => p.Path.StartsWith(ArchiveEntries.FilesFolder, StringComparison.Ordinal)));
        }

        var restore = await ImportSnapshotAsync(bytes, "/api/imports?name=version-1");

        Assert.Equal("restored", restore.GetProperty("status").GetString());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{restore.GetProperty("projectId").GetString()}")).GetProperty("counts");
        Assert.Equal(snapshot.Get("counts.documents").GetInt32(), counts.GetProperty("documents").GetInt32());
        Assert.Equal(snapshot.Get("counts.annotations").GetInt32(), counts.GetProperty("annotations").GetInt32());
        Assert.Equal(restore.Get("progress.bytes.total").GetInt64(), restore.Get("progress.bytes.done").GetInt64());
        Assert.True(restore.Get("progress.bytes.total").GetInt64() > 0);
    }

    public static TheoryData<string, string> HostileArchives => new()
    {
        { "checksum", "Checksum mismatch for 'labels.ndjson'" },
        { "unlisted", "'notes.txt' is not listed in the manifest" },
        { "traversal", "unsafe entry: '../escape.txt' has a '..' segment" },
        { "absolute", "unsafe entry: '/etc/cron.d/job' is absolute" },
        { "duplicate", "the entry 'labels.ndjson' twice" },
        { "major version", "format version 3" },
        { "counts", "The manifest counts" },
        { "no manifest", "not a Konfuzio project export" },
        { "null source", "source (environment, projectId)" },
    };

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public async Task A_hostile_archive_is_rejected_before_anything_is_written(string attack, string expected)
    {
        var snapshot = await CreateSnapshotAsync("ai");
        var zip = new ZipRewriter(await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download"));
        var hostile = attack switch
        {
            "checksum" => zip.Replace(ArchiveEntries.Labels, text => text.Replace("label", "lab3l")),
            "unlisted" => zip.Add("notes.txt", "hello"),
            "traversal" => zip.Add("../escape.txt", "x"),
            "absolute" => zip.Add("/etc/cron.d/job", "x"),
            "duplicate" => zip.Add(ArchiveEntries.Labels, ""),
            "major version" => zip.EditManifest(m => m["version"] = 3),
            "counts" => zip.EditManifest(m => m["counts"]!["labels"] = 999),
            "no manifest" => new ZipRewriter(ExportArchives.Zip(new Dictionary<string, string> { ["labels.ndjson"] = "{}" })),
            "null source" => zip.EditManifest(m => m["source"] = null),
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };
        var projectsBefore = await service.Http.ListProjectIdsAsync();
        var container = service.Services.GetRequiredService<SnapshotBlobs>().Container;
        var importedBefore = await ImportedArchivesAsync();

        var refusal = await service.Http.UploadRefusedAsync("/api/imports?name=hostile", hostile.ToBytes());

        // Names and the manifest are refused by the request; checksums and counts by the restore's verification.
        Assert.Equal(attack is "checksum" or "unlisted" or "counts" ? HttpStatusCode.Accepted : HttpStatusCode.BadRequest, refusal.Status);
        Assert.Contains(expected, refusal.Reason, StringComparison.OrdinalIgnoreCase);
        // The failed restore discards its project and the uploaded archive just after it reports.
        await Eventually.ReturnsAsync(() => service.Http.ListProjectIdsAsync(), ids => ids.SequenceEqual(projectsBefore), TimeSpan.FromSeconds(30));
        await Eventually.ReturnsAsync(ImportedArchivesAsync, names => names.SequenceEqual(importedBefore), TimeSpan.FromSeconds(30));

        // Other tests import sound archives into the same storage; only what this upload would have added counts.
        async Task<List<string>> ImportedArchivesAsync() =>
            [.. (await container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "imp-" }).CollectAsync()).Select(b => b.Name).Order()];
    }

    [Fact]
    public async Task A_shared_upload_whose_archive_is_invalid_is_removed_with_its_restore()
    {
        var snapshot = await CreateSnapshotAsync("ai");
        var damaged = new ZipRewriter(await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download"))
            .Replace(ArchiveEntries.Labels, text => text.Replace("label", "lab3l")).ToBytes();

        var refusal = await service.Http.UploadRefusedAsync("/api/imports?name=shared-damaged&share=true", damaged);

        Assert.Equal(HttpStatusCode.Accepted, refusal.Status);
        Assert.Contains("Checksum mismatch", refusal.Reason);
        var restore = await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{refusal.Id}");
        var identifier = restore.GetProperty("identifier").GetString()!;
        var blobs = service.Services.GetRequiredService<SnapshotBlobs>();
        await Eventually.ReturnsAsync(
            async () => await blobs.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = identifier + "/" }).CollectAsync(),
            left => left.Count == 0, TimeSpan.FromSeconds(30));
    }

    private async Task<JsonElement> CreateSnapshotAsync(params string[] modes)
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        return await service.Http.CreateSnapshotAsync(projectId, modes);
    }

    private async Task<JsonElement> ImportSnapshotAsync(byte[] zip, string uri)
    {
        var response = await service.Http.PostZipAsync(uri, zip);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var restore = await service.Http.WaitForRestoreAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        Assert.Equal("restored", restore.GetProperty("status").GetString());
        return restore;
    }

    /// <summary>A second installation: its own emulators (data, Cosmos, durable hub), sharing only the snapshot storage.</summary>
    private sealed class OtherEnvironment : IAsyncDisposable
    {
        private readonly EmulatorSet emulators;
        private readonly LocalDurableBackend durable;
        private readonly WebApplication app;
        private readonly string dataDirectory;

        private OtherEnvironment(EmulatorSet emulators, LocalDurableBackend durable, WebApplication app, string dataDirectory, string adminToken)
        {
            this.dataDirectory = dataDirectory;
            this.emulators = emulators;
            this.durable = durable;
            this.app = app;
            Http = ClientWith(adminToken);
        }

        public HttpClient Http { get; }

        public HttpClient ClientWith(string token)
        {
            var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public static async Task<OtherEnvironment> StartAsync(ServiceFixture shared, bool restoreAcrossEnvironments, ActivityFaults? faults = null)
        {
            var dataDirectory = shared.DataDirectory + "-other";
            var emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = dataDirectory }, NullLogger.Instance);
            var durable = await LocalDurableBackend.StartAsync(new DurableBackendOptions { StorageConnectionString = emulators.Endpoints.StorageConnectionString, MaxQueuePollingInterval = TestDurablePolling.MaxQueuePollingInterval }, NullLoggerFactory.Instance);
            var app = LocalRuntime.Build(new LocalRuntimeOptions
            {
                Args = ["--urls", "http://127.0.0.1:0"],
                Emulators = emulators.Endpoints,
                Durable = durable,
                Settings = new Dictionary<string, string?>
                {
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Snapshots:Storage:connectionString"] = shared.Emulators.Endpoints.StorageConnectionString,
                    ["Snapshots:RestoreAcrossEnvironments"] = restoreAcrossEnvironments.ToString(),
                    ["Snapshots:EnvironmentName"] = "other",
                    ["Auth:DevelopmentSigningKey"] = shared.SigningKey,
                },
                ConfigureServices = faults is null ? null : services => services.AddSingleton<Snapshots.Local.FunctionHosting.IActivityFilter>(faults),
            });
            await app.StartAsync();
            return new OtherEnvironment(emulators, durable, app, dataDirectory, shared.AdminToken);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            await durable.DisposeAsync();
            await emulators.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
