using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Access;
using Snapshots.Create;
using Snapshots.Functions.Backups;
using Snapshots.Functions.Operations;
using Snapshots.Functions.Snapshots;
using Snapshots.Operations;
using Snapshots.Records;
using Snapshots.Restore;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// A crash between writing a record and starting its orchestration, or an orchestration that ends without settling
/// its record, leaves nothing stuck: the reconciler starts or settles it. (The crash is the service's own start
/// path stopped after the record write: the orchestration is simply never scheduled.)
/// </summary>
[Collection(RestoreSafetyTestGroup.Name)]
public sealed class StuckRecordTests(ServiceFixture service)
{
    private static readonly SeedSpec Spec = new() { Name = "stuck", Documents = 5, AnnotationsPerDocument = 2, Ais = 3, DocumentFileBytes = 200, ModelFileBytes = 200 };

    private DurableTaskClient Client => service.Services.GetRequiredService<DurableTaskClient>();

    private Task<ReconcileResult> ReconcileAsync() =>
        ReconcileFunctions.ReconcileAsync(service.Services.GetRequiredService<OperationReconciler>(), Client, TimeSpan.Zero, default);

    [Fact]
    public async Task A_snapshot_whose_orchestration_never_started_is_started_by_the_reconciler()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var (record, _) = await service.Services.GetRequiredService<SnapshotService>().StartAsync(projectId, [SnapshotMode.Dataset], null, default);
        Assert.Equal("creating", (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{record.Id}")).GetProperty("status").GetString());

        Assert.True((await ReconcileAsync()).Started >= 1);
        var snapshot = await service.Http.WaitForSnapshotAsync(record.Id);

        Assert.Equal("created", snapshot.GetProperty("status").GetString());
        await ReconcileAsync();
        Assert.Null(await PendingAsync(record.Id));
    }

    [Fact]
    public async Task A_restore_whose_orchestration_never_started_is_started_and_completes()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "dataset", "ai");
        var (record, _) = await service.Services.GetRequiredService<RestoreService>().StartAsync(
            snapshot.GetProperty("identifier").GetString()!, snapshot.GetProperty("id").GetString(), null, null, null, new Caller("test-admin", "test-admin", new HashSet<string> { EnvironmentRoles.Admin }, new Dictionary<string, string>()), default);

        Assert.True((await ReconcileAsync()).Started >= 1);
        var restore = await service.Http.WaitForRestoreAsync(record.Id);

        Assert.Equal("restored", restore.GetProperty("status").GetString());
        Assert.Equal(snapshot.Get("counts.documents").GetInt32(), restore.Get("report.documents").GetInt32());
    }

    [Fact]
    public async Task A_snapshot_whose_orchestration_ended_without_settling_it_is_failed_and_can_be_deleted()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var (record, request) = await service.Services.GetRequiredService<SnapshotService>().StartAsync(projectId, [SnapshotMode.Dataset], null, default);
        var gate = service.Faults.HoldOnce(record.Identifier, nameof(CreateSnapshotFunctions.ExportSnapshotSchema));
        try
        {
            await BackupFunctions.StartAsync(Client, request);
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));
            await Client.TerminateInstanceAsync(record.Id, "killed for the test");
            gate.Release();
            await Eventually.ReturnsAsync(() => Client.GetInstanceAsync(record.Id), i => i?.IsCompleted == true, TimeSpan.FromMinutes(1));
            Assert.Equal("creating", (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{record.Id}")).GetProperty("status").GetString());

            Assert.Equal(1, (await ReconcileAsync()).Settled);

            var settled = await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{record.Id}");
            Assert.Equal("failed", settled.GetProperty("status").GetString());
            Assert.Equal(OperationReconciler.InterruptedReason, settled.GetProperty("failureReason").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await service.Http.DeleteAsync($"/api/snapshots/{record.Id}")).StatusCode);
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(record.Identifier);
        }
    }

    private Task<PendingOperation?> PendingAsync(string id) =>
        service.Services.GetRequiredService<Snapshots.Projects.ProjectStore>().GetAsync<PendingOperation>(PendingOperation.Partition, id, default);
}
