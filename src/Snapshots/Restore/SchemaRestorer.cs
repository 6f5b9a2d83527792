using System.Text.Json;
using Snapshots.Archive;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// Restores categories, label sets and labels. Into a new project everything is created. When merging, each is
/// matched by name (a label within its label set): a match is reused, a same-named entity whose properties
/// differ is kept as the target has it and reported as a conflict, and what has no match is created.
/// </summary>
public sealed class SchemaRestorer(ProjectStore store, ProjectFiles files, RestoreStaging staging)
{
    public async Task<SchemaResult> RestoreAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        using var archive = await staging.OpenArchiveAsync(request.Identifier, cancellationToken);
        var projectId = request.ProjectId;
        var sourceCategories = await archive.ReadNdjsonAsync<Category>(ArchiveEntries.Categories, cancellationToken).ToListAsync(cancellationToken);
        var sourceSets = await archive.ReadNdjsonAsync<LabelSet>(ArchiveEntries.LabelSets, cancellationToken).ToListAsync(cancellationToken);
        var sourceLabels = await archive.ReadNdjsonAsync<Label>(ArchiveEntries.Labels, cancellationToken).ToListAsync(cancellationToken);

        var targetCategories = request.Merge ? await store.ListAsync<Category>(projectId, cancellationToken).ToListAsync(cancellationToken) : [];
        var targetSets = request.Merge ? await store.ListAsync<LabelSet>(projectId, cancellationToken).ToListAsync(cancellationToken) : [];
        var targetLabels = request.Merge ? await store.ListAsync<Label>(projectId, cancellationToken).ToListAsync(cancellationToken) : [];

        var map = new SchemaMap([], [], []);
        var categories = Match(request, "category", sourceCategories, targetCategories, c => c.Name, map.Categories, SameCategory);
        var sets = Match(request, "labelSet", sourceSets, targetSets, s => s.Name, map.LabelSets, SameLabelSet);

        // A label is matched within the target label set matched to one of its source label sets.
        var labelsReport = new KindReport();
        var newLabels = new List<Label>();
        var targetLabelsById = targetLabels.ToDictionary(l => l.Id);
        foreach (var label in sourceLabels)
        {
            var candidates = sourceSets.Where(s => s.LabelIds.Contains(label.Id))
                .Select(s => targetSets.FirstOrDefault(t => t.Id == map.LabelSets[s.Id]))
                .Where(t => t is not null)
                .SelectMany(t => t!.LabelIds)
                .Select(id => targetLabelsById.GetValueOrDefault(id))
                .Where(l => l is not null && l.Name == label.Name)
                .ToList();
            if (candidates.FirstOrDefault() is { } match)
            {
                map.Labels[label.Id] = match.Id;
                labelsReport = Same(label, match, "Id") ? labelsReport with { Matched = labelsReport.Matched + 1 }
                    : WithConflict(labelsReport with { Matched = labelsReport.Matched + 1 }, "label", label.Name);
            }
            else
            {
                var created = label with { Id = DeterministicIds.For(request.RestoreId, "label", label.Id) };
                map.Labels[label.Id] = created.Id;
                newLabels.Add(created);
                labelsReport = labelsReport with { Created = labelsReport.Created + 1 };
            }
        }

        foreach (var category in categories.Created)
        {
            await store.UpsertAsync(projectId, category, cancellationToken);
        }

        foreach (var label in newLabels)
        {
            await store.UpsertAsync(projectId, label, cancellationToken);
        }

        foreach (var set in sets.Created)
        {
            await store.UpsertAsync(projectId, set with
            {
                LabelIds = set.LabelIds.Select(id => map.Labels.GetValueOrDefault(id)).OfType<string>().ToList(),
                CategoryIds = set.CategoryIds.Select(id => map.Categories.GetValueOrDefault(id)).OfType<string>().ToList(),
            }, cancellationToken);
        }

        // New labels of a matched label set join the target's set, so restored annotations find them there.
        foreach (var source in sourceSets.Where(s => targetSets.Any(t => t.Id == map.LabelSets[s.Id])))
        {
            var target = targetSets.First(t => t.Id == map.LabelSets[source.Id]);
            var added = source.LabelIds.Select(id => map.Labels[id]).Where(id => newLabels.Any(l => l.Id == id) && !target.LabelIds.Contains(id)).ToList();
            if (added.Count > 0)
            {
                await store.UpsertAsync(projectId, target with { LabelIds = [.. target.LabelIds, .. added] }, cancellationToken);
            }
        }

        var sourceProject = (await archive.ReadNdjsonAsync<Project>(ArchiveEntries.Project, cancellationToken).ToListAsync(cancellationToken)).SingleOrDefault();
        var projectFiles = sourceProject?.Files.Where(f => archive.Has(ArchiveEntries.ProjectFile(f.Name))).ToList() ?? [];
        if (request.NewProject && sourceProject is not null)
        {
            await RestoreProjectPropertiesAsync(archive, sourceProject, projectFiles, projectId, cancellationToken);
        }

        await staging.WriteJsonAsync(request.RestoreId, SchemaMap.BlobName, map, cancellationToken);
        return request.NewProject
            ? new SchemaResult(categories.Report, sets.Report, labelsReport, ProjectFiles: projectFiles.Count)
            : new SchemaResult(categories.Report, sets.Report, labelsReport, ProjectFilesLeftOut: projectFiles.Count);
    }

    /// <summary>A new project takes the source project's description, custom fields and project files; not its name or id.</summary>
    private async Task RestoreProjectPropertiesAsync(
        SnapshotArchiveReader archive, Project source, List<StoredFile> projectFiles, string projectId, CancellationToken cancellationToken)
    {
        var target = await store.GetAsync<Project>(projectId, projectId, cancellationToken);
        if (target is null)
        {
            return;
        }

        var restoredFiles = new List<StoredFile>();
        foreach (var file in projectFiles)
        {
            await using var content = archive.OpenEntry(ArchiveEntries.ProjectFile(file.Name));
            restoredFiles.Add(await files.UploadProjectFileAsync(projectId, file.Name, content, cancellationToken));
        }

        await store.UpsertAsync(projectId, target with { Description = source.Description, Extra = source.Extra, Files = restoredFiles }, cancellationToken);
    }

    private static (List<T> Created, KindReport Report) Match<T>(
        RestoreRequest request, string kind, List<T> sources, List<T> targets, Func<T, string> name, Dictionary<string, string> map, Func<T, T, bool> same)
        where T : IProjectEntity
    {
        var report = new KindReport();
        var created = new List<T>();
        foreach (var source in sources)
        {
            var match = targets.FirstOrDefault(t => name(t) == name(source));
            if (match is not null)
            {
                map[source.Id] = match.Id;
                report = same(source, match) ? report with { Matched = report.Matched + 1 }
                    : WithConflict(report with { Matched = report.Matched + 1 }, kind, name(source));
                continue;
            }

            var newId = DeterministicIds.For(request.RestoreId, kind, source.Id);
            map[source.Id] = newId;
            created.Add(WithId(source, newId));
            report = report with { Created = report.Created + 1 };
        }

        return (created, report);
    }

    private static T WithId<T>(T entity, string id)
        where T : IProjectEntity => entity switch
        {
            Category c => (T)(object)(c with { Id = id }),
            LabelSet s => (T)(object)(s with { Id = id }),
            _ => throw new NotSupportedException(typeof(T).Name),
        };

    private static KindReport WithConflict(KindReport report, string kind, string name) =>
        report with { Conflicts = [.. report.Conflicts, new RestoreConflict(kind, name, "a same-named entity with other properties exists; the target's was kept")] };

    private static bool SameCategory(Category source, Category target) => Same(source, target, "Id");

    // Label sets are compared without their ids and member lists, which differ between projects by nature.
    private static bool SameLabelSet(LabelSet source, LabelSet target) => Same(source, target, "Id", "LabelIds", "CategoryIds");

    private static bool Same<T>(T source, T target, params string[] ignored)
    {
        var a = JsonSerializer.SerializeToNode(source, Configuration.SnapshotsJson.Options)!.AsObject();
        var b = JsonSerializer.SerializeToNode(target, Configuration.SnapshotsJson.Options)!.AsObject();
        foreach (var name in ignored.Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)))
        {
            a.Remove(name);
            b.Remove(name);
        }

        return System.Text.Json.Nodes.JsonNode.DeepEquals(a, b);
    }
}
