using Snapshots.Projects;

namespace Snapshots.Functions.Projects;

public sealed record CreateProjectBody(string? Name, string? Description);

public sealed record ProjectView(
    string Id,
    string Name,
    string? Description,
    ProjectStatus Status,
    DateTimeOffset CreatedAt,
    IReadOnlyList<StoredFile> Files,
    ProjectCounts? Counts)
{
    public static ProjectView From(Project project, ProjectCounts? counts) =>
        new(project.Id, project.Name, project.Description, project.Status, project.CreatedAt, project.Files, counts);
}

public sealed record PageView<T>(IReadOnlyList<T> Items, string? ContinuationToken);
