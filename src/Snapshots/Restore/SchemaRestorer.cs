using Snapshots.Archive;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// Restores categories, label sets and labels by the merge rules of <see cref="SchemaMergePlanner"/>, and, into a
/// new project, the source project's properties and files. Everything is staged: the created entities carry the
/// restore id, additions to existing label sets are extensions, and the project's properties wait in a working
/// blob for the publish; no existing entity of the target is written.
/// </summary>
public sealed class SchemaRestorer(ProjectStore store, ProjectFiles files, RestoreStaging staging)
{
    public const string ProjectPropertiesBlobName = "project.json";

    public async Task<SchemaResult> RestoreAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        using var archive = await staging.OpenArchiveAsync(request, cancellationToken);
        var projectId = request.ProjectId;
        var source = await SchemaSources.ReadAsync(archive, cancellationToken);
        var target = request.Merge ? await SchemaSources.ReadAsync(store, projectId, cancellationToken) : ProjectSchema.Empty;

        var plan = SchemaMergePlanner.Plan(request.RestoreId, source, target);
        await StageAllAsync(plan.CreateCategories, projectId, request.RestoreId, cancellationToken);
        await StageAllAsync(plan.CreateLabels, projectId, request.RestoreId, cancellationToken);
        await StageAllAsync(plan.CreateLabelSets, projectId, request.RestoreId, cancellationToken);
        await StageAllAsync(plan.ExtendLabelSets, projectId, request.RestoreId, cancellationToken);

        var sourceProject = (await archive.ReadNdjsonAsync<Project>(ArchiveEntries.Project, cancellationToken).ToListAsync(cancellationToken)).SingleOrDefault();
        var projectFiles = RestoreRules.ProjectFilesIn(sourceProject, archive.Has);
        long projectFileBytes = 0;
        if (request.NewProject && sourceProject is not null)
        {
            var restored = await StageProjectPropertiesAsync(archive, sourceProject, projectFiles, request, cancellationToken);
            projectFileBytes = restored.Files.Sum(f => f.Bytes);
        }

        await staging.WriteJsonAsync(request.RestoreId, SchemaMap.BlobName, plan.Map, cancellationToken);
        return request.NewProject
            ? new SchemaResult(plan.Categories, plan.LabelSets, plan.Labels, ProjectFiles: projectFiles.Count, ProjectFileBytes: projectFileBytes)
            : new SchemaResult(plan.Categories, plan.LabelSets, plan.Labels, ProjectFilesLeftOut: projectFiles.Count,
                ProjectFileBytesLeftOut: projectFiles.Sum(f => archive.Length(ArchiveEntries.ProjectFile(f.Name))));
    }

    private async Task StageAllAsync<T>(IEnumerable<T> entities, string projectId, string restoreId, CancellationToken cancellationToken)
        where T : IProjectEntity
    {
        foreach (var entity in entities)
        {
            await store.UpsertAsync(projectId, entity, cancellationToken, stagedBy: restoreId);
        }
    }

    /// <summary>
    /// A new project takes the source project's description, custom fields and project files (not its name or id).
    /// The files are uploaded now (the project lists none until the publish), the properties wait for the publish.
    /// </summary>
    private async Task<StagedProjectProperties> StageProjectPropertiesAsync(
        SnapshotArchiveReader archive, Project source, List<StoredFile> projectFiles, RestoreRequest request, CancellationToken cancellationToken)
    {
        var restoredFiles = new List<StoredFile>();
        foreach (var file in projectFiles)
        {
            await using var content = archive.OpenEntry(ArchiveEntries.ProjectFile(file.Name));
            restoredFiles.Add(await files.UploadProjectFileAsync(request.ProjectId, file.Name, content, cancellationToken));
        }

        var properties = new StagedProjectProperties(source.Description, source.Extra, restoredFiles);
        await staging.WriteJsonAsync(request.RestoreId, ProjectPropertiesBlobName, properties, cancellationToken);
        return properties;
    }
}

/// <summary>The properties a restore into a new project gives the project when it is published.</summary>
public sealed record StagedProjectProperties(string? Description, Dictionary<string, System.Text.Json.JsonElement>? Extra, List<StoredFile> Files);
