using Microsoft.Extensions.DependencyInjection;
using Snapshots.Projects;
using Snapshots.Restore;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>Restore records live with their target project's restores and are found by id and by snapshot through indexes.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class RestoreRecordsTests(ServiceFixture service)
{
    private RestoreStore Records => service.Services.GetRequiredService<RestoreStore>();

    private ProjectStore Store => service.Services.GetRequiredService<ProjectStore>();

    [Fact]
    public async Task Records_of_the_one_partition_layout_move_to_their_projects_when_read_or_migrated_and_are_listed_there()
    {
        var (snapshotId, projectA, projectB) = (Id(), Id(), Id());
        var legacy = new[] { Record(projectA, snapshotId), Record(projectA, null), Record(projectB, snapshotId) };
        foreach (var record in legacy)
        {
            await Store.UpsertAsync(RestoreStore.LegacyPartition, record, default);
        }

        // Read by id before any migration: found, and moved on the way.
        var first = await Records.GetAsync(legacy[0].Id, default);
        Assert.Equal(legacy[0], first);
        Assert.Null(await Store.GetAsync<RestoreRecord>(RestoreStore.LegacyPartition, legacy[0].Id, default));

        Assert.True(await Records.MigrateLegacyAsync(default) >= 2);
        Assert.Empty(await Store.ListPartitionAsync<RestoreRecord>(RestoreStore.LegacyPartition, default).CollectAsync());

        Assert.Equal(legacy.Where(r => r.ProjectId == projectA).Select(r => r.Id).Order(),
            (await Records.ListByProjectAsync(projectA, default).CollectAsync()).Select(r => r.Id).Order());
        Assert.Equal(legacy.Where(r => r.SnapshotId == snapshotId).Select(r => r.Id).Order(),
            (await Records.ListBySnapshotAsync(snapshotId, default).CollectAsync()).Select(r => r.Id).Order());
        Assert.Equal(legacy[2], await Records.GetAsync(legacy[2].Id, default));
    }

    [Fact]
    public async Task A_migration_never_writes_a_stale_copy_over_a_moved_and_changed_record()
    {
        var record = Record(Id(), Id());
        await Store.UpsertAsync(RestoreStore.LegacyPartition, record, default);
        Assert.NotNull(await Records.GetAsync(record.Id, default));
        await Records.UpdateAsync(record.Id, r => r with { Error = "changed after the move" }, default);

        // A second migration that read the legacy copy before the first removed it.
        await Store.UpsertAsync(RestoreStore.LegacyPartition, record, default);
        await Records.MigrateLegacyAsync(default);

        Assert.Equal("changed after the move", (await Records.GetAsync(record.Id, default))!.Error);
        Assert.Null(await Store.GetAsync<RestoreRecord>(RestoreStore.LegacyPartition, record.Id, default));
    }

    [Fact]
    public async Task A_record_whose_migration_stopped_after_its_index_is_still_found()
    {
        var record = Record(Id(), Id());
        await Store.UpsertAsync(RestoreStore.LegacyPartition, record, default);
        await Store.UpsertAsync(RestoreIndexEntry.Partition, new RestoreIndexEntry { Id = record.Id, ProjectId = record.ProjectId }, default);

        Assert.Equal(record, await Records.GetAsync(record.Id, default));
        Assert.Equal([record.Id], (await Records.ListByProjectAsync(record.ProjectId, default).CollectAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task An_update_finds_the_record_through_the_index_and_a_delete_removes_it_from_every_index()
    {
        var record = Record(Id(), Id());
        await Records.SaveAsync(record, default);

        var updated = await Records.UpdateAsync(record.Id, r => r with { Error = "changed" }, default);
        Assert.Equal("changed", updated!.Error);
        Assert.Equal("changed", (await Records.GetAsync(record.Id, default))!.Error);

        await Records.DeleteAsync(record, default);
        Assert.Null(await Records.GetAsync(record.Id, default));
        Assert.Empty(await Records.ListBySnapshotAsync(record.SnapshotId!, default).CollectAsync());
        Assert.Empty(await Records.ListByProjectAsync(record.ProjectId, default).CollectAsync());
        Assert.Null(await Records.UpdateAsync(record.Id, r => r with { Error = "again" }, default));
    }

    private static string Id() => Guid.NewGuid().ToString("N");

    private static RestoreRecord Record(string projectId, string? snapshotId) => new()
    {
        Id = Id(),
        SnapshotId = snapshotId,
        Identifier = "snp-" + Id(),
        ProjectId = projectId,
        ProjectName = "target",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
