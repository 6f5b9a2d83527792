using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Create;

/// <summary>Starts, finishes, fails, describes and deletes snapshots: the record side of the lifecycle.</summary>
public sealed partial class SnapshotService(
    ProjectStore projects, SnapshotStore snapshots, SnapshotBlobs blobs, Operations.PendingOperations pending, IOptions<SnapshotsOptions> options, TimeProvider clock,
    ILogger<SnapshotService> logger)
{
    /// <summary>Checks the request and writes the record (status creating); the caller starts the orchestration.</summary>
    public async Task<(SnapshotRecord Record, CreateSnapshotRequest Request)> StartAsync(
        string projectId, IReadOnlyList<SnapshotMode>? modes, string? description, CancellationToken cancellationToken, Selection.DocumentSelection? select = null)
    {
        var (record, request) = await ValidateAsync(projectId, modes, description, cancellationToken, select);
        await pending.AddAsync(Operations.PendingKind.Snapshot, record.Id, request, cancellationToken);
        await snapshots.SaveAsync(record, cancellationToken);
        return (record, request);
    }

    /// <summary>
    /// Starts the snapshot of one schedule occurrence under a deterministic id: null when it already exists (a
    /// duplicate tick or a second instance). A refused request becomes a failed snapshot, visible with its reason.
    /// </summary>
    public async Task<ScheduledStart> StartScheduledAsync(
        string projectId, IReadOnlyList<SnapshotMode> modes, DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        var id = ScheduledId(projectId, scheduledFor);
        if (await snapshots.GetAsync(id, cancellationToken) is not null)
        {
            return new ScheduledStart(null, false, id);
        }

        try
        {
            var (record, request) = await ValidateAsync(projectId, modes, null, cancellationToken);
            record = record with { Id = id, Scheduled = true, ScheduledFor = scheduledFor, Description = $"Scheduled backup for {scheduledFor.UtcDateTime:yyyy-MM-dd HH:mm} UTC" };
            request = request with { SnapshotId = id };
            await pending.AddAsync(Operations.PendingKind.Snapshot, id, request, cancellationToken);
            return new ScheduledStart(await snapshots.TryCreateAsync(record, cancellationToken) ? request : null, false, id);
        }
        catch (RequestRefusedException ex) when (ex is not NotFoundException)
        {
            var project = await projects.GetAsync<Project>(projectId, projectId, cancellationToken);
            var recorded = await snapshots.TryCreateAsync(new SnapshotRecord
            {
                Id = id,
                Identifier = SnapshotIdentifiers.New(),
                ProjectId = projectId,
                ProjectName = project?.Name ?? projectId,
                Modes = modes,
                Status = SnapshotStatus.Failed,
                FailureReason = ex.Message,
                Scheduled = true,
                ScheduledFor = scheduledFor,
                CreatedAt = clock.GetUtcNow(),
                CompletedAt = clock.GetUtcNow(),
            }, cancellationToken);
            return new ScheduledStart(null, recorded, id);
        }
    }

    public static string ScheduledId(string projectId, DateTimeOffset scheduledFor) => $"scheduled-{projectId}-{scheduledFor.UtcDateTime:yyyyMMddHHmmss}";

    private async Task<(SnapshotRecord Record, CreateSnapshotRequest Request)> ValidateAsync(
        string projectId, IReadOnlyList<SnapshotMode>? modes, string? description, CancellationToken cancellationToken, Selection.DocumentSelection? select = null)
    {
        var distinctModes = (modes ?? []).Distinct().Order().ToList();
        if (distinctModes.Count == 0)
        {
            throw new InvalidRequestException("Choose at least one mode: \"dataset\", \"ai\" or both.");
        }

        var project = await projects.GetAsync<Project>(projectId, projectId, cancellationToken);
        if (project is null || project.Status != ProjectStatus.Ready)
        {
            throw new NotFoundException($"No project with id '{projectId}'.");
        }

        if (SnapshotRules.IncludesDocuments(distinctModes))
        {
            var byStatus = (await projects.CountAsync(projectId, Visibility.Of(project), cancellationToken)).DocumentsByDatasetStatus;
            if (byStatus.GetValueOrDefault("training") + byStatus.GetValueOrDefault("test") == 0)
            {
                throw new NoDatasetDocumentsException();
            }
        }

        Selection.ResolvedSelection? selection = null;
        if (select is { IsEmpty: false })
        {
            if (!SnapshotRules.IncludesDocuments(distinctModes))
            {
                throw new InvalidRequestException("'select' picks documents: it needs the \"dataset\" mode.");
            }

            var categories = await projects.ListAsync<Category>(projectId, Visibility.Of(project), cancellationToken).ToListAsync(cancellationToken);
            selection = Selection.ResolvedSelection.Of(select, categories, $"project '{projectId}'");
        }

        var record = new SnapshotRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            Identifier = SnapshotIdentifiers.New(),
            ProjectId = projectId,
            ProjectName = project.Name,
            Modes = distinctModes,
            Selection = selection,
            Status = SnapshotStatus.Creating,
            Description = description,
            CreatedAt = clock.GetUtcNow(),
        };
        return (record, new CreateSnapshotRequest(record.Id, record.Identifier, projectId, distinctModes, project.Publication?.Generation ?? 0) { Selection = selection, Notifies = true });
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
            Selection = record.Selection,
            Counts = new SnapshotCounts(),
            Parts = [],
            Warnings = warnings,
        };
    }

    public async Task FinishAsync(FinishSnapshotRequest finish, CancellationToken cancellationToken)
    {
        var record = await RequireAsync(finish.Snapshot.SnapshotId, cancellationToken);
        await snapshots.UpdateAsync(record, current => current with
        {
            Status = SnapshotStatus.Created,
            Counts = finish.Archive.Counts,
            Bytes = finish.Archive.Bytes,
            Warnings = finish.Warnings,
            CompletedAt = finish.CompletedAt,
        }, cancellationToken);
        Diagnostics.SnapshotsTelemetry.SnapshotsCreated.Add(1);
        Diagnostics.SnapshotsTelemetry.ArchiveBytes.Add(finish.Archive.Bytes);
        LogCreated(logger, record.Id, record.ProjectId, finish.Archive.Counts.Documents, finish.Archive.Bytes, (finish.CompletedAt - record.CreatedAt).TotalSeconds);
    }

    /// <summary>The working parts of a created snapshot: its archive holds everything they held.</summary>
    public Task DeletePartsAsync(CreateSnapshotRequest request, CancellationToken cancellationToken) =>
        blobs.DeletePartsAsync(request.Identifier, cancellationToken);

    /// <summary>Records the failure and removes every blob, so no partial archive is ever visible.</summary>
    public async Task FailAsync(FailSnapshotRequest failure, CancellationToken cancellationToken)
    {
        await blobs.DeleteAllAsync(failure.Snapshot.Identifier, cancellationToken);
        var record = await snapshots.GetAsync(failure.Snapshot.SnapshotId, cancellationToken);
        if (record is not null)
        {
            await snapshots.UpdateAsync(record, current => current with { Status = SnapshotStatus.Failed, FailureReason = failure.Reason, FailureDetail = failure.Detail ?? failure.Reason, CompletedAt = failure.FailedAt }, cancellationToken);
        }

        Diagnostics.SnapshotsTelemetry.SnapshotsFailed.Add(1);
        LogFailed(logger, failure.Snapshot.SnapshotId, failure.Reason, failure.Detail ?? failure.Reason);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Snapshot {SnapshotId} of project {ProjectId} created: {Documents} documents, {Bytes} bytes, {Seconds:F1} s.")]
    private static partial void LogCreated(ILogger logger, string snapshotId, string projectId, int documents, long bytes, double seconds);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Snapshot {SnapshotId} failed: {Reason}\n{Detail}")]
    private static partial void LogFailed(ILogger logger, string snapshotId, string reason, string detail);

    /// <summary>Changes the description only, on the record as it is now (a snapshot finishing meanwhile keeps its status).</summary>
    public async Task<SnapshotRecord> DescribeAsync(SnapshotRecord record, string? description, CancellationToken cancellationToken) =>
        await snapshots.UpdateAsync(record, current => current with { Description = description }, cancellationToken)
        ?? throw new NotFoundException($"No snapshot with id '{record.Id}'.");

    /// <summary>A restore (of any environment sharing the snapshot storage) that reads the snapshot's archive now, if any.</summary>
    public async Task<string?> ReaderOfAsync(SnapshotRecord record, CancellationToken cancellationToken) =>
        (await blobs.ActiveReadersAsync(record.Identifier, clock.GetUtcNow(), cancellationToken)).FirstOrDefault();

    /// <summary>Irrevocable: the record, the parts and the archive go; projects are not touched.</summary>
    public async Task DeleteAsync(SnapshotRecord record, CancellationToken cancellationToken)
    {
        if (record.Status == SnapshotStatus.Creating)
        {
            throw new ConflictException("The snapshot is still being created; delete it once it is created or failed.");
        }

        if (await ReaderOfAsync(record, cancellationToken) is { } reader)
        {
            throw new ConflictException($"Restore '{reader}' is reading this snapshot's archive; delete it once that restore has ended.");
        }

        await blobs.DeleteAllAsync(record.Identifier, cancellationToken);
        await snapshots.DeleteAsync(record, cancellationToken);
        LogDeleted(logger, record.Id, record.ProjectId, record.Identifier);
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Snapshot {SnapshotId} of project {ProjectId} deleted with its archive {Identifier}.")]
    private static partial void LogDeleted(ILogger logger, string snapshotId, string projectId, string identifier);

    private async Task<SnapshotRecord> RequireAsync(string snapshotId, CancellationToken cancellationToken) =>
        await snapshots.GetAsync(snapshotId, cancellationToken)
        ?? throw new InvalidOperationException($"Snapshot {snapshotId} was deleted while it was being created.");
}
