using Snapshots.Access;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Restore;

/// <summary>The record side of restores: start one (creating the new project at once), complete, fail, find.</summary>
public sealed class RestoreService(ProjectStore projects, MembershipStore members, RestoreStaging staging, TimeProvider clock)
{
    /// <summary>
    /// Checks the target and writes the restore record; a restore without a target project creates that project
    /// now (named after the snapshot), empty and restoring, and its items become visible when the restore completes.
    /// The caller who asked becomes the new project's owner.
    /// </summary>
    public async Task<(RestoreRecord Record, RestoreRequest Request)> StartAsync(
        string identifier, string? snapshotId, string? sourceEnvironment, string? targetProjectId, string? projectName, Caller requestedBy,
        CancellationToken cancellationToken)
    {
        var restoreId = Guid.NewGuid().ToString("N");
        var now = clock.GetUtcNow();
        Project target;
        if (targetProjectId is not null)
        {
            target = await projects.GetAsync<Project>(targetProjectId, targetProjectId, cancellationToken)
                ?? throw new SnapshotRequestException(404, $"No project with id '{targetProjectId}' to merge into.");
            if (target.Status != ProjectStatus.Ready)
            {
                throw new SnapshotRequestException(409, $"Project '{targetProjectId}' is {target.Status.ToString().ToLowerInvariant()}; merge into it once it is ready.");
            }
        }
        else
        {
            target = new Project
            {
                Id = Guid.NewGuid().ToString("N"),
                Name = string.IsNullOrWhiteSpace(projectName) ? $"Restored Project from Snapshot {identifier} at {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}" : projectName.Trim(),
                Status = ProjectStatus.Restoring,
                CreatedAt = now,
            };
            await projects.SaveProjectAsync(target, cancellationToken);
            await members.GrantOwnerAsync(target, requestedBy, cancellationToken);
        }

        var record = new RestoreRecord
        {
            Id = restoreId,
            SnapshotId = snapshotId,
            Identifier = identifier,
            ProjectId = target.Id,
            ProjectName = target.Name,
            Merge = targetProjectId is not null,
            SourceEnvironment = sourceEnvironment,
            RequestedBy = requestedBy.UserId,
            CreatedAt = now,
        };
        await projects.UpsertAsync(RestoreRecord.Partition, record, cancellationToken);
        return (record, new RestoreRequest(restoreId, identifier, target.Id, record.Merge, NewProject: targetProjectId is null));
    }

    public Task<RestoreRecord?> GetAsync(string restoreId, CancellationToken cancellationToken) =>
        projects.GetAsync<RestoreRecord>(RestoreRecord.Partition, restoreId, cancellationToken);

    /// <summary>Restores of a snapshot, or into a project, newest first.</summary>
    public async Task<List<RestoreRecord>> ListAsync(Func<RestoreRecord, bool> filter, CancellationToken cancellationToken)
    {
        var records = new List<RestoreRecord>();
        await foreach (var record in projects.ListAsync<RestoreRecord>(RestoreRecord.Partition, cancellationToken))
        {
            if (filter(record))
            {
                records.Add(record);
            }
        }

        return records.OrderByDescending(r => r.CreatedAt).ToList();
    }

    /// <summary>Publishes the project (a new one becomes ready and listed), records the report, removes the working blobs.</summary>
    public async Task CompleteAsync(CompleteRestoreRequest complete, CancellationToken cancellationToken)
    {
        var request = complete.Restore;
        var project = await projects.GetAsync<Project>(request.ProjectId, request.ProjectId, cancellationToken);
        if (project is not null && project.Status == ProjectStatus.Restoring)
        {
            await projects.SaveProjectAsync(project with { Status = ProjectStatus.Ready }, cancellationToken);
        }

        var record = await GetAsync(request.RestoreId, cancellationToken)
            ?? throw new InvalidOperationException($"Restore {request.RestoreId} has no record.");
        var documents = complete.Documents;
        await projects.UpsertAsync(RestoreRecord.Partition, record with
        {
            CompletedAt = complete.CompletedAt,
            Error = null,
            Report = new RestoreReport(complete.Schema.Categories, complete.Schema.LabelSets, complete.Schema.Labels,
                documents.Documents, documents.AnnotationSets, documents.Annotations, complete.Ais.Ais, complete.Schema.ProjectFiles + documents.Files + complete.Ais.Files)
            {
                Notes = complete.Ais.Notes,
            },
        }, cancellationToken);
        await staging.DeleteAsync(request.RestoreId, cancellationToken);
    }

    /// <summary>Keeps the reason; what was written stays staged (invisible), and a retry overwrites it.</summary>
    public async Task FailAsync(FailRestoreRequest failure, CancellationToken cancellationToken)
    {
        var record = await GetAsync(failure.Restore.RestoreId, cancellationToken);
        if (record is not null)
        {
            await projects.UpsertAsync(RestoreRecord.Partition, record with { Error = failure.Reason, CompletedAt = failure.FailedAt }, cancellationToken);
        }
    }
}
