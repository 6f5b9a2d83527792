using Snapshots.Access;
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
    ProjectCounts? Counts,
    ProjectAccessView? Access = null)
{
    public static ProjectView From(Project project, ProjectCounts? counts, ProjectAccessView? access = null) =>
        new(project.Id, project.Name, project.Description, project.Status, project.CreatedAt, project.Files, counts, access);
}

/// <summary>The caller's role on the project and the permissions it grants (Konfuzio names), so clients can hide what would be refused.</summary>
public sealed record ProjectAccessView(string Role, IReadOnlyList<string> Permissions)
{
    public static ProjectAccessView For(string role) =>
        new(role, [.. Enum.GetValues<Permission>().Where(p => ProjectRoles.Grants(role, p)).Select(global::Snapshots.Access.Permissions.NameOf)]);
}

public sealed record PageView<T>(IReadOnlyList<T> Items, string? ContinuationToken);
