using Microsoft.Extensions.Options;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Create;

/// <summary>A request the service refuses, with the HTTP status that says why.</summary>
public sealed class SnapshotRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>Starts, finishes, fails, describes and deletes snapshots: the record side of the lifecycle.</summary>
public sealed class SnapshotService(
    ProjectStore projects, SnapshotStore snapshots, SnapshotBlobs blobs, IOptions<SnapshotsOptions> options, TimeProvider clock)
{
    /// <summary>Checks the request and writes the record (status creating); the caller starts the orchestration.</summary>
    public async Task<(SnapshotRecord Record, CreateSnapshotRequest Request)> StartAsync(
        string projectId, IReadOnlyList<SnapshotMode>? modes, string? description, bool scheduled, CancellationToken cancellationToken)
    {
        var distinctModes = (modes ?? []).Distinct().Order().ToList();
        if (distinctModes.Count == 0)
        {
            throw new SnapshotRequestException(400, "Choose at least one mode: \"dataset\", \"ai\" or both.");
        }

        var project = await projects.GetAsync<Project>(projectId, projectId, cancellationToken);
        if (project is null || project.Status != ProjectStatus.Ready)
        {
            throw new SnapshotRequestException(404, $"No project with id '{projectId}'.");
        }

        if (SnapshotRules.IncludesDocuments(distinctModes))
        {
            var byStatus = (await projects.CountAsync(projectId, cancellationToken)).DocumentsByDatasetStatus;
            if (byStatus.GetValueOrDefault("training") + byStatus.GetValueOrDefault("test") == 0)
            {
                throw new SnapshotRequestException(409, new NoDatasetDocumentsException().Message);
            }
        }

        var record = new SnapshotRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            Identifier = SnapshotIdentifiers.New(),
            ProjectId = projectId,
            ProjectName = project.Name,
            Modes = distinctModes,
            Status = SnapshotStatus.Creating,
            Description = description,
            Scheduled = scheduled,
            CreatedAt = clock.GetUtcNow(),
        };
        await snapshots.SaveAsync(record, cancellationToken);
        return (record, new CreateSnapshotRequest(record.Id, record.Identifier, projectId, distinctModes));
    }

    /// <summary>The header of the manifest: what the assembler completes with counts and parts.</summary>
    public async Task<SnapshotManifest> ManifestHeaderAsync(CreateSnapshotRequest request, IReadOnlyList<string> warnings, CancellationToken cancellationToken)
    {
        var record = await RequireAsync(request.SnapshotId, cancellationToken);
        return new SnapshotManifest
        {
            SnapshotId = record.Id,
            Identifier = record.Identifier,
            CreatedAt = record.CreatedAt,
            Source = new ManifestSource(options.Value.EnvironmentName, record.ProjectId, record.ProjectName),
            Modes = record.Modes,
            Counts = new SnapshotCounts(),
            Parts = [],
            Warnings = warnings,
        };
    }

    public async Task FinishAsync(FinishSnapshotRequest finish, CancellationToken cancellationToken)
    {
        var record = await RequireAsync(finish.Snapshot.SnapshotId, cancellationToken);
        await snapshots.SaveAsync(record with
        {
            Status = SnapshotStatus.Created,
            Counts = finish.Archive.Counts,
            Bytes = finish.Archive.Bytes,
            Warnings = finish.Warnings,
            CompletedAt = finish.CompletedAt,
        }, cancellationToken);
        await blobs.DeletePartsAsync(finish.Snapshot.Identifier, cancellationToken);
    }

    /// <summary>Records the failure and removes every blob, so no partial archive is ever visible.</summary>
    public async Task FailAsync(FailSnapshotRequest failure, CancellationToken cancellationToken)
    {
        await blobs.DeleteAllAsync(failure.Snapshot.Identifier, cancellationToken);
        var record = await snapshots.GetAsync(failure.Snapshot.SnapshotId, cancellationToken);
        if (record is not null)
        {
            await snapshots.SaveAsync(record with { Status = SnapshotStatus.Failed, FailureReason = failure.Reason, CompletedAt = failure.FailedAt }, cancellationToken);
        }
    }

    public async Task<SnapshotRecord> DescribeAsync(SnapshotRecord record, string? description, CancellationToken cancellationToken)
    {
        var updated = record with { Description = description };
        await snapshots.SaveAsync(updated, cancellationToken);
        return updated;
    }

    /// <summary>Irrevocable: the record, the parts and the archive go; projects are not touched.</summary>
    public async Task DeleteAsync(SnapshotRecord record, CancellationToken cancellationToken)
    {
        if (record.Status == SnapshotStatus.Creating)
        {
            throw new SnapshotRequestException(409, "The snapshot is still being created; delete it once it is created or failed.");
        }

        await blobs.DeleteAllAsync(record.Identifier, cancellationToken);
        await snapshots.DeleteAsync(record, cancellationToken);
    }

    private async Task<SnapshotRecord> RequireAsync(string snapshotId, CancellationToken cancellationToken) =>
        await snapshots.GetAsync(snapshotId, cancellationToken)
        ?? throw new InvalidOperationException($"Snapshot {snapshotId} was deleted while it was being created.");
}
